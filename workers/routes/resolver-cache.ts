// The resolution cache of the isolate that serves the request: stats (public, harmless counters)
// and clear (a resolver admin, see resolver-config.ts). Other isolates keep their entries until
// their TTL runs out: there is no cross-isolate broadcast, by design (see README).
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { publicRoute, signedRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { json } from "../lib/openapi.ts";
import { isolateId, resolverAdmins, resolverCache } from "./resolver-config.ts";

export const resolverCacheRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Stats = z
  .object({
    isolate: z.string(),
    size: z.number().int(),
    capacity: z.number().int(),
    hits: z.number().int(),
    misses: z.number().int(),
    evictions: z.number().int(),
    expired: z.number().int(),
    hit_ratio: z.number(),
  })
  .openapi("ResolverCacheStats");

resolverCacheRoutes.openapi(
  publicRoute({
    method: "get",
    path: "/v1/resolve/cache/stats",
    summary: "Counters of this isolate's resolution cache",
    responses: { 200: json(Stats, "Stats") },
  }),
  (c) => {
    const s = resolverCache(c.env).stats();
    c.header("cache-control", "no-store");
    return c.json({ isolate: isolateId(), ...s, hit_ratio: s.hits + s.misses === 0 ? 0 : s.hits / (s.hits + s.misses) }, 200);
  },
);

resolverCacheRoutes.openapi(
  signedRoute({
    method: "post",
    path: "/v1/resolve/cache/clear",
    summary: "Empty this isolate's resolution cache (resolver admin: RESOLVER_ADMINS, else the control-plane key)",
    responses: { 200: json(z.object({ isolate: z.string(), cleared: z.number().int() }), "Cleared") },
  }),
  (c) => {
    if (!resolverAdmins(c.env).has(c.get("actor"))) fail(403, "clearing the resolver cache needs a resolver admin key (RESOLVER_ADMINS)");
    const cache = resolverCache(c.env);
    const cleared = cache.size;
    cache.clear();
    return c.json({ isolate: isolateId(), cleared }, 200);
  },
);
