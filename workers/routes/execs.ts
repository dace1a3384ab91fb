import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, execSessionStub, unwrap } from "../lib/stubs.ts";
import { EXEC_DEADLINE_HEADER, EXEC_SIDE_HEADER, type ExecSide } from "../../durable-objects/exec-session/exec-session-do.ts";
import { validationHook } from "../lib/validation.ts";
import { warningHeader } from "../lib/warnings.ts";
import { Address } from "../../protocol/api/common.ts";
import { ExecRequest, ExecOutcome, ExecView } from "../../protocol/api/exec.ts";
import type { Context } from "hono";
import { ClusterParam, json } from "../lib/openapi.ts";

/**
 * `enc exec`: the user's request is queued in the ClusterDO and reaches the replica's agent in its
 * signed desired state (the long-poll it already holds answers at once); the agent posts the
 * outcome here on its own signed channel. The Worker never connects to a node.
 */
export const execs = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const ExecId = z.string().regex(/^ex-[0-9a-f]{16}$/, "an exec id, ex-<16 hex>");

execs.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/execs",
    summary: "Run a command in a replica's container through its agent (operator); audited as ReplicaExec",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: ExecRequest } }, required: true } },
    responses: { 201: json(z.object({ exec: ExecView }), "Queued for the replica's node"), 409: { description: "The replica is not running" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { warnings, ...exec } = await unwrap(clusterStub(c.env, cluster).requestExec(c.get("actor"), c.req.valid("json")));
    warningHeader(c, { warnings });
    return c.json({ exec, ...(warnings ? { warnings } : {}) }, 201);
  },
);

execs.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/execs/{id}",
    summary: "An exec and its output once the node answered; long-polls up to `wait` seconds (operator)",
    request: {
      params: ClusterParam.extend({ id: ExecId.openapi({ param: { name: "id", in: "path" } }) }),
      query: z.object({ wait: z.coerce.number().int().min(0).max(55).default(0) }),
    },
    responses: { 200: json(z.object({ exec: ExecView }), "Exec") },
  }),
  async (c) => {
    const { cluster, id } = c.req.valid("param");
    const { wait } = c.req.valid("query");
    return c.json({ exec: await unwrap(clusterStub(c.env, cluster).getExec(c.get("actor"), id, wait * 1000)) }, 200);
  },
);

execs.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/nodes/{node}/execs/{id}",
    summary: "A node's outcome of an exec it was ordered to run (node)",
    request: {
      params: ClusterParam.extend({ node: Address.openapi({ param: { name: "node", in: "path" } }), id: ExecId.openapi({ param: { name: "id", in: "path" } }) }),
      body: { content: { "application/json": { schema: ExecOutcome } }, required: true },
    },
    responses: { 200: json(z.object({ recorded: z.literal(true) }), "Recorded") },
  }),
  async (c) => {
    const { cluster, node, id } = c.req.valid("param");
    if (node !== c.get("actor")) fail(403, "a node may only act for its own address", { field: "node" });
    return c.json(await unwrap(clusterStub(c.env, cluster).execResult(c.get("actor"), id, c.req.valid("json"))), 200);
  },
);

/**
 * A terminal session (`tty: true`) streams both ways through a relay of its own: the requester and
 * the ordered node each send a signed WebSocket upgrade here, the ClusterDO says whether that
 * signer may take that side, and the exec's ExecSessionDO joins the two sockets.
 */
async function attach(c: Context<AppEnv>, cluster: string, id: string, side: ExecSide): Promise<Response> {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") fail(426, "attaching to a terminal session needs a WebSocket upgrade (Upgrade: websocket)", { field: "Upgrade" });
  const { expires_in_ms } = await unwrap(clusterStub(c.env, cluster).checkExecAttach(c.get("actor"), id, side));
  const headers = new Headers(c.req.raw.headers);
  headers.set(EXEC_SIDE_HEADER, side);
  headers.set(EXEC_DEADLINE_HEADER, String(Date.now() + expires_in_ms));
  return execSessionStub(c.env, cluster, id).fetch(new Request(c.req.raw.url, { method: "GET", headers }));
}

const upgraded = { 101: { description: "Switched to a WebSocket: binary frames carry the terminal's bytes, text frames ExecControlFrame" }, 426: { description: "Not a WebSocket upgrade" } };

execs.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/execs/{id}/attach",
    summary: "Attach to a terminal session (`tty: true`) you requested: a WebSocket relayed to the agent (operator, the requester only, once)",
    request: { params: ClusterParam.extend({ id: ExecId.openapi({ param: { name: "id", in: "path" } }) }) },
    responses: upgraded,
  }),
  async (c) => {
    const { cluster, id } = c.req.valid("param");
    return attach(c, cluster, id, "user") as never;
  },
);

execs.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes/{node}/execs/{id}/attach",
    summary: "The ordered node's end of a terminal session (node, once)",
    request: { params: ClusterParam.extend({ node: Address.openapi({ param: { name: "node", in: "path" } }), id: ExecId.openapi({ param: { name: "id", in: "path" } }) }) },
    responses: upgraded,
  }),
  async (c) => {
    const { cluster, node, id } = c.req.valid("param");
    if (node !== c.get("actor")) fail(403, "a node may only act for its own address", { field: "node" });
    return attach(c, cluster, id, "agent") as never;
  },
);
