import { OpenAPIHono, z } from "@hono/zod-openapi";
import { prometheus } from "../../durable-objects/cluster/metrics.ts";
import type { AppEnv } from "../env.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { EventCursor, EventsPage } from "../../protocol/api/events.ts";
import { AppName } from "../../protocol/api/common.ts";

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

observe.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/events",
    summary:
      "Events (viewer): scheduling, pulls, starts, exits, back-offs, health changes, failovers, rollouts, from the audit log and the nodes' signed reports. " +
      "Without `after`, the newest `limit`; with `after` (an answer's cursor), what came since, held up to `wait` seconds until something does (long poll).",
    request: {
      params: ClusterParam,
      query: z.object({
        after: EventCursor.optional(),
        workload: AppName.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        wait: z.coerce.number().int().min(0).max(25).default(0),
      }),
    },
    responses: { 200: json(EventsPage, "Events, oldest first, and the cursor after them") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { after, workload, limit, wait } = c.req.valid("query");
    return c.json(await unwrap(clusterStub(c.env, cluster).eventsPage(c.get("actor"), { after, workload, limit, waitMs: wait * 1000 })), 200);
  },
);
