import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { warningHeader } from "../lib/warnings.ts";
import { AppName } from "../../protocol/api/common.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { WorkloadLogs } from "../../protocol/api/observe.ts";
import { Replica, RolloutView, WorkloadSpec, WorkloadVersion, WorkloadWithReplicas } from "../../protocol/api/workload.ts";

export const workloads = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const NameParam = ClusterParam.extend({ name: AppName.openapi({ param: { name: "name", in: "path" } }) });
/** warn policies' messages, when any was true for the change */
const WithReplicas = WorkloadWithReplicas.extend({ warnings: z.array(z.string()).optional() });

workloads.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/workloads",
    summary: "Deploy a workload (operator); its replicas are placed on ready nodes with room",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: WorkloadSpec } }, required: true } },
    responses: { 201: json(WithReplicas, "Deployed"), 409: { description: "A workload of that name exists" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const out = await unwrap(clusterStub(c.env, cluster).deployWorkload(c.get("actor"), c.req.valid("json")));
    warningHeader(c, out);
    // The DO answers with the body's JSON text (no per-replica clone); warnings, when any, join it.
    const body = out.warnings ? JSON.stringify({ ...(JSON.parse(out.json) as object), warnings: out.warnings }) : out.json;
    return c.body(body, 201, { "content-type": "application/json" });
  },
);

workloads.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/workloads",
    summary: "List workloads with their replicas (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ workloads: z.array(WithReplicas) }), "Workloads") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ workloads: await unwrap(clusterStub(c.env, cluster).listWorkloads(c.get("actor"))) }, 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/workloads/{name}",
    summary: "A workload and its replicas (viewer)",
    request: { params: NameParam },
    responses: { 200: json(WithReplicas, "Workload") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).getWorkload(c.get("actor"), name)), 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/clusters/{cluster}/workloads/{name}",
    summary: "Delete a workload (operator); its agents stop its containers (SIGTERM, then SIGKILL after the grace period; force: at once)",
    request: {
      params: NameParam,
      query: z.object({ grace_period_s: z.coerce.number().int().min(0).max(3600).optional(), force: z.enum(["true", "false"]).optional() }),
    },
    responses: { 200: json(z.object({ deleted: z.string() }), "Deleted") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const q = c.req.valid("query");
    return c.json(await unwrap(clusterStub(c.env, cluster).deleteWorkload(c.get("actor"), name, { graceS: q.grace_period_s, force: q.force === "true" })), 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/workloads/{name}/logs",
    summary: "The recent stdout/stderr of a workload's replicas (viewer)",
    request: {
      params: NameParam,
      query: z.object({
        replica: z.string().max(200).optional(),
        tail: z.coerce.number().int().min(1).max(1 << 20).default(65_536),
        /** RFC 3339: only output read at or after it */
        since: z.iso.datetime({ offset: true }).optional(),
        /** the replica's previous container instead of its current one */
        previous: z.enum(["true", "false"]).optional(),
        /** with each chunk's time (`times`) */
        timestamps: z.enum(["true", "false"]).optional(),
      }),
    },
    responses: { 200: json(WorkloadLogs, "Logs") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const { replica, tail, since, previous, timestamps } = c.req.valid("query");
    const q = { tailBytes: tail, since: since ? Date.parse(since) : undefined, previous: previous === "true", timestamps: timestamps === "true" };
    return c.json({ logs: await unwrap(clusterStub(c.env, cluster).logs(c.get("actor"), name, replica, q)) }, 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/workloads/{name}/scale",
    summary: "Set the number of primary replicas (operator)",
    request: {
      params: NameParam,
      body: { content: { "application/json": { schema: z.object({ replicas: z.number().int().min(0).max(1000) }).strict() } }, required: true },
    },
    responses: { 200: json(z.object({ replicas: z.array(Replica), warnings: z.array(z.string()).optional() }), "Scaled") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const out = await unwrap(clusterStub(c.env, cluster).scaleWorkload(c.get("actor"), name, c.req.valid("json").replicas));
    warningHeader(c, out);
    return c.json(out, 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "put",
    path: "/v1/clusters/{cluster}/workloads/{name}",
    summary: "Update to a new spec (operator): a new version; replicas whose container changes are replaced by a rolling update",
    request: {
      params: NameParam,
      query: z.object({ cause: z.string().max(200).optional() }),
      body: { content: { "application/json": { schema: WorkloadSpec } }, required: true },
    },
    responses: { 200: json(WithReplicas.extend({ changed: z.array(z.string()) }), "Update started") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const spec = c.req.valid("json");
    if (spec.name !== name) fail(422, `the body's name ${spec.name} is not the path's ${name}`, { field: "name" });
    const cause = c.req.valid("query").cause || "update";
    // What compliance evidence reads as a reviewed change (a promotion, the system's undo) is the control plane's to write.
    if (/^(pipeline|undo) /.test(cause)) fail(422, `cause: "${cause.split(" ")[0]} …" is reserved for changes the control plane makes (pipeline promotions, rollbacks)`, { field: "cause" });
    const out = await unwrap(clusterStub(c.env, cluster).updateWorkload(c.get("actor"), spec, cause));
    warningHeader(c, out);
    return c.json(out, 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/workloads/{name}/rollout",
    summary: "The workload's rollout and its replicas per version (viewer)",
    request: { params: NameParam },
    responses: { 200: json(RolloutView, "Rollout") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).rolloutStatus(c.get("actor"), name)), 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/workloads/{name}/rollout/history",
    summary: "Every version of the workload, oldest first (viewer)",
    request: { params: NameParam },
    responses: { 200: json(z.object({ versions: z.array(WorkloadVersion) }), "Versions") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json({ versions: await unwrap(clusterStub(c.env, cluster).rolloutHistory(c.get("actor"), name)) }, 200);
  },
);

workloads.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/workloads/{name}/rollout/{action}",
    summary: "undo [to_version] | restart | pause | resume a workload's rollout (operator)",
    request: {
      params: NameParam.extend({ action: z.enum(["undo", "restart", "pause", "resume"]).openapi({ param: { name: "action", in: "path" } }) }),
      body: { content: { "application/json": { schema: z.object({ to_version: z.number().int().min(1).optional() }).strict() } }, required: false },
    },
    responses: { 200: json(RolloutView.extend({ changed: z.array(z.string()).optional() }), "Rollout") },
  }),
  async (c) => {
    const { cluster, name, action } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    if (body.to_version !== undefined && action !== "undo") fail(422, "to_version applies to undo only", { field: "to_version" });
    return c.json(await unwrap(clusterStub(c.env, cluster).rolloutAction(c.get("actor"), name, action, body.to_version)), 200);
  },
);
