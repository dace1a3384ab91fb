import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { getReceipt } from "../../domain/ledger/queries.ts";
import { HashText } from "../../protocol/api/common.ts";
import { ClusterParam, json } from "../lib/openapi.ts";

export const replays = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Replay = z
  .object({
    id: z.string(),
    node: z.string(),
    receipt: HashText,
    app: z.string(),
    status: z.enum(["requested", "done"]),
    verdict: z.enum(["match", "mismatch", "error"]).nullable(),
    replay_receipt: z.string().nullable(),
    detail: z.string().nullable(),
    requested_by: z.string(),
    requested_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi("Replay");

replays.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/replays",
    summary: "Ask the node that produced a receipt to replay it and compare witness roots (admin)",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: z.object({ receipt: HashText }).strict() } }, required: true } },
    responses: { 201: json(z.object({ replay: Replay }), "Requested") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { receipt } = c.req.valid("json");
    const found = await getReceipt(c.env.LEDGER, receipt);
    if (!found || found.cluster !== cluster) fail(404, `no receipt ${receipt} in cluster ${cluster}`, { field: "receipt" });
    const replay = await unwrap(clusterStub(c.env, cluster).requestReplay(c.get("actor"), receipt, found.receipt.node, found.app));
    return c.json({ replay }, 201);
  },
);

replays.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/replays/{id}",
    summary: "A replay's status and verdict (viewer)",
    request: { params: ClusterParam.extend({ id: z.string().regex(/^rp-[0-9a-f]{16}$/).openapi({ param: { name: "id", in: "path" } }) }) },
    responses: { 200: json(z.object({ replay: Replay }), "Replay") },
  }),
  async (c) => {
    const { cluster, id } = c.req.valid("param");
    return c.json({ replay: await unwrap(clusterStub(c.env, cluster).getReplay(c.get("actor"), id)) }, 200);
  },
);
