import { OpenAPIHono, z } from "@hono/zod-openapi";
import { prometheus } from "../../durable-objects/cluster/metrics.ts";
import type { AppEnv } from "../env.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterParam, json } from "../lib/openapi.ts";

export const observe = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

observe.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/metrics",
    summary: "ClusterMetrics (viewer); ?format=prometheus for the text exposition format",
    request: { params: ClusterParam, query: z.object({ format: z.enum(["json", "prometheus"]).default("json") }) },
    responses: { 200: { description: "Metrics", content: { "application/json": { schema: z.record(z.string(), z.number()) }, "text/plain": { schema: z.string() } } } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const m = await unwrap(clusterStub(c.env, cluster).metrics(c.get("actor")));
    if (c.req.valid("query").format === "prometheus") {
      return c.text(prometheus(cluster, m), 200, { "content-type": "text/plain; version=0.0.4" });
    }
    return c.json(m, 200);
  },
);

observe.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/health",
    summary: "Health per node and per replica (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.looseObject({ status: z.enum(["ok", "degraded"]) }), "Health") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).health(c.get("actor"))), 200);
  },
);
