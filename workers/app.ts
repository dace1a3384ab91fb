import { OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env.ts";
import { problem, problemResponse, ProblemException } from "../domain/problem.ts";
import { validationHook } from "./lib/validation.ts";
import { apiBodyCap } from "./middleware/body-cap.ts";
import { agent } from "./routes/agent.ts";
import { audit } from "./routes/audit.ts";
import { clusters } from "./routes/clusters.ts";
import { policies } from "./routes/policies.ts";
import { gateway } from "./routes/gateway.ts";
import { meta } from "./routes/meta.ts";
import { observe } from "./routes/observe.ts";
import { nodes } from "./routes/nodes.ts";
import { notary } from "./routes/notary.ts";
import { receipts } from "./routes/receipts.ts";
import { replays } from "./routes/replays.ts";
import { pipelines } from "./routes/pipelines.ts";
import { cage } from "./routes/cage.ts";
import { execs } from "./routes/execs.ts";
import { dids } from "./routes/dids.ts";
import { registry } from "./routes/registry.ts";
import { resolver } from "./routes/resolver.ts";
import { resolverCacheRoutes } from "./routes/resolver-cache.ts";
import { resolverIdentifiers } from "./routes/resolver-identifiers.ts";
import { resolverQlock } from "./routes/resolver-qlock.ts";
import { resolverZk } from "./routes/resolver-zk.ts";
import { workloads } from "./routes/workloads.ts";
import { consoleRoutes } from "./console/routes.tsx";
import { placements } from "./routes/placements.ts";
import { tlog } from "./routes/tlog.ts";
import { agreements } from "./routes/agreements.ts";

export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

// Before any route reads a body: an oversized one is refused without being read in full.
app.use("*", apiBodyCap);

for (const routes of [meta, clusters, nodes, agent, receipts, notary, audit, workloads, observe, replays, execs, policies, pipelines]) app.route("/", routes);
app.route("/", placements);
app.route("/", tlog);
app.route("/", cage);
app.route("/", agreements);
// The gateway is plain Hono: it forwards arbitrary paths and bodies, so it has no schema.
app.route("/", gateway);
// The resolver: registries (signed writes, public reads) and public look-ups.
for (const routes of [registry, dids, resolver, resolverZk, resolverQlock, resolverCacheRoutes, resolverIdentifiers]) app.route("/", routes);

// The web console (server-rendered pages, session sign-in): outside the OpenAPI document.
app.route("/", consoleRoutes(app));

app.openAPIRegistry.registerComponent("securitySchemes", "httpSignature", {
  type: "apiKey",
  in: "header",
  name: "Signature",
  description:
    "RFC 9421 HTTP Message Signature by a wallet key (Ed25519, keyid = bpi1 address) over @method, @target-uri and content-digest (RFC 9530), with created, expires and nonce. See PROTOCOL.md §3.",
});

// The gateway forwards any method and path, so it has no schema of its own; documented here.
app.openAPIRegistry.registerPath({
  method: "get",
  path: "/v1/clusters/{cluster}/services/{workload}/{path}",
  summary: "HTTP cage gateway: any method, forwarded to a healthy replica of the workload",
  description:
    "Chooses a replica with the workload's load-balancing algorithm, skips replicas whose circuit breaker is open (5 consecutive failures; half-open after 30 s) and retries the next one on a connection failure or 502/503/504. With `wallet_authentication`, the caller must sign the request (RFC 9421) and the replica receives the verified address in `x-enc-wallet`. All methods are forwarded the same way.",
  request: {
    params: z.object({
      cluster: z.string().openapi({ param: { name: "cluster", in: "path" } }),
      workload: z.string().openapi({ param: { name: "workload", in: "path" } }),
      path: z.string().openapi({ param: { name: "path", in: "path" } }),
    }),
  },
  responses: {
    200: { description: "The replica's answer (any status), with `x-enc-replica` naming the replica" },
    401: { description: "The workload requires a wallet signature" },
    502: { description: "No replica could serve the request" },
    503: { description: "The workload has no healthy replica" },
  },
});

app.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "ENC control plane",
    version: "1.0.0",
    description: "Verifiable container control plane. Every mutating route is signed (RFC 9421); errors are RFC 9457 problems.",
  },
});

app.notFound((c) => problemResponse(problem(404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`)));

/** The one place errors become responses. Unknown errors are logged, never echoed. */
app.onError((e, c) => {
  if (e instanceof ProblemException) return problemResponse(e.problem);
  if (e instanceof HTTPException) {
    const body = e.status === 400 && /JSON/i.test(e.message) ? { field: "body", code: "malformed-json" } : {};
    return problemResponse(problem(e.status, e.message || "request rejected", body));
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, e);
  return problemResponse(problem(500, "internal error; the change was not applied"));
});
