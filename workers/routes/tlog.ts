// The C2SP transparency logs (PROTOCOL.md §6): each app's log of StepReceipts (NotaryDO) and each
// cluster's audit log (ClusterDO), served as tlog-tiles clients read them. `checkpoint` and
// `…/log/` are public; tiles need viewer unless the cluster's config has `public_log: true`.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { publicRoute } from "../lib/route.ts";
import { clusterStub, notaryStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterAppParam, ClusterParam, json, problemResponses } from "../lib/openapi.ts";
import { LogInfo } from "../../protocol/api/tlog.ts";
import { signature } from "../middleware/signature.ts";

export const tlog = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const NOTE_TYPE = "text/plain; charset=utf-8";
const noteResponse = { description: "The newest checkpoint, a C2SP signed note", content: { [NOTE_TYPE]: { schema: z.string() } } };
const notFound = { 404: problemResponses[404] };

async function logAccess(env: Env, cluster: string) {
  const access = await clusterStub(env, cluster).logAccess();
  if (!access) fail(404, `no cluster ${cluster}`, { field: "cluster" });
  return access;
}

/**
 * The app's NotaryDO, in an existing cluster. Not gated on D1 (whose rows an attacker could
 * delete to hide the checkpoint): the DO's own storage says whether the log has begun, and a
 * NotaryDO never written (no receipt) answers 404 without creating any (BaseDO.deferSchema).
 */
async function sealedNotary(env: Env, cluster: string, app: string) {
  await logAccess(env, cluster);
  return notaryStub(env, cluster, app);
}

// Changes at every seal or audit flush: revalidate each time.
const NOTE_HEADERS = { "content-type": NOTE_TYPE, "cache-control": "no-cache" };

tlog.openapi(
  publicRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/log/",
    summary: "The app's transparency log: origin, verifier key, size and witnesses (public)",
    request: { params: ClusterAppParam },
    responses: { 200: json(LogInfo, "Log"), ...notFound },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    const { witnesses } = await logAccess(c.env, cluster);
    return c.json({ ...(await unwrap((await sealedNotary(c.env, cluster, app)).logInfo())), witnesses }, 200);
  },
);

tlog.openapi(
  publicRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/log/checkpoint",
    summary: "The app log's newest checkpoint (C2SP tlog-checkpoint in a signed note; public)",
    request: { params: ClusterAppParam },
    responses: { 200: noteResponse, ...notFound },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    await logAccess(c.env, cluster);
    const head = await (await sealedNotary(c.env, cluster, app)).logCheckpoint();
    if (!head) fail(404, `the log of ${cluster}/${app} has no checkpoint yet (nothing sealed)`, { field: "app" });
    return c.text(head.note, 200, NOTE_HEADERS);
  },
);

tlog.openapi(
  publicRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/audit/log/",
    summary: "The cluster's audit log: origin, verifier key, size and witnesses (public)",
    request: { params: ClusterParam },
    responses: { 200: json(LogInfo, "Log"), ...notFound },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { witnesses } = await logAccess(c.env, cluster);
    return c.json({ ...(await unwrap(clusterStub(c.env, cluster).auditLogInfo())), witnesses }, 200);
  },
);

tlog.openapi(
  publicRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/audit/log/checkpoint",
    summary: "The audit log's newest checkpoint (public)",
    request: { params: ClusterParam },
    responses: { 200: noteResponse, ...notFound },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.text((await unwrap(clusterStub(c.env, cluster).auditLogCheckpoint())).note, 200, NOTE_HEADERS);
  },
);

/**
 * Tiles: a signed request needs viewer; an unsigned one is served only when the cluster has
 * `public_log` (otherwise 401, the same for an unknown cluster, so existence is not leaked).
 */
async function tileAccess(c: Context<AppEnv>, cluster: string): Promise<"public" | "private"> {
  if (c.req.header("signature") || c.req.header("signature-input")) {
    await signature()(c, async () => {});
    const { config } = await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "viewer"));
    return config.public_log ? "public" : "private";
  }
  const access = await clusterStub(c.env, cluster).logAccess();
  if (!access?.public_log) fail(401, "this log's tiles need a signed request by a viewer (its cluster has no public_log)", { code: "signature-missing" });
  return "public";
}

function tileResponse(c: Context<AppEnv>, t: { bytes: Uint8Array; full: boolean }, scope: "public" | "private"): Response {
  // A full tile never changes; a partial one is replaced by a wider one as the log grows.
  const cache = t.full ? `${scope}, max-age=31536000, immutable` : `${scope}, max-age=60`;
  return c.body(t.bytes as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/octet-stream", "cache-control": cache });
}

function params<T extends z.ZodType>(c: Context<AppEnv>, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.param());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(400, `${String(issue.path[0])}: ${issue.message}`, { field: String(issue.path[0]) });
  }
  return parsed.data;
}

const tilePathOf = (c: Context<AppEnv>, marker: string): string => {
  const p = new URL(c.req.url).pathname;
  return p.slice(p.indexOf(marker) + marker.length - "tile/".length);
};

tlog.get("/v1/clusters/:cluster/apps/:app/log/tile/*", async (c) => {
  const { cluster, app } = params(c, ClusterAppParam);
  const scope = await tileAccess(c, cluster);
  return tileResponse(c, await unwrap((await sealedNotary(c.env, cluster, app)).logTile(tilePathOf(c, "/log/tile/"))), scope);
});

tlog.get("/v1/clusters/:cluster/audit/log/tile/*", async (c) => {
  const { cluster } = params(c, ClusterParam);
  const scope = await tileAccess(c, cluster);
  return tileResponse(c, await unwrap(clusterStub(c.env, cluster).auditLogTile(tilePathOf(c, "/log/tile/"))), scope);
});

// Tiles have paths of several segments, so they are plain routes; documented here.
for (const [path, params, summary] of [
  ["/v1/clusters/{cluster}/apps/{app}/log/tile/{tile}", ClusterAppParam, "A C2SP tlog-tiles tile of the app log"],
  ["/v1/clusters/{cluster}/audit/log/tile/{tile}", ClusterParam, "A C2SP tlog-tiles tile of the audit log"],
] as const) {
  tlog.openAPIRegistry.registerPath({
    method: "get",
    path,
    summary: `${summary}: \`<L>/<N>[.p/<W>]\` or \`entries/<N>[.p/<W>]\` (viewer, or anyone with public_log)`,
    description: "Full tiles are immutable (`Cache-Control: max-age=31536000, immutable`); partial tiles are cached briefly. Unsigned requests are answered only for clusters with `public_log: true`.",
    request: { params: params.extend({ tile: z.string().openapi({ param: { name: "tile", in: "path" } }) }) },
    responses: {
      200: { description: "The tile's bytes", content: { "application/octet-stream": { schema: z.string() } } },
      ...problemResponses,
    },
  });
}
