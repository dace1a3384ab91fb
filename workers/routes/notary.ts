import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, notaryStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { blockReceipts, getBlock, listBlocks } from "../../domain/ledger/queries.ts";
import { ClusterAppParam, HashText, json } from "../../domain/schemas/common.ts";

export const notary = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Block = z.looseObject({ height: z.number().int(), prev: z.string(), merkle_root: z.string() }).openapi("LogBlock");

notary.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/apps/{app}/seal",
    summary: "Seal the pending receipts into a LogBlock now (admin)",
    request: { params: ClusterAppParam },
    responses: { 201: json(z.object({ block: Block }), "Sealed"), 204: { description: "Nothing pending" } },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    const { config } = await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "admin"));
    const block = await unwrap(notaryStub(c.env, cluster, app).seal(config.notary));
    if (!block) return c.body(null, 204);
    return c.json({ block }, 201);
  },
);

notary.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/notary",
    summary: "Notary state of an app (viewer)",
    request: { params: ClusterAppParam },
    responses: {
      200: json(
        z.object({ pending_receipts: z.number().int(), current_height: z.number().int(), max_receipts_per_block: z.number().int(), max_block_window_s: z.number().int() }),
        "Stats",
      ),
    },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    const { config } = await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "viewer"));
    return c.json(await notaryStub(c.env, cluster, app).stats(config.notary), 200);
  },
);

notary.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/blocks",
    summary: "LogBlocks in height order (viewer)",
    request: {
      params: ClusterAppParam,
      query: z.object({
        from_height: z.coerce.number().int().min(1).default(1),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    },
    responses: { 200: json(z.object({ blocks: z.array(Block) }), "Blocks") },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    const { from_height, limit } = c.req.valid("query");
    await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "viewer"));
    return c.json({ blocks: await listBlocks(c.env.LEDGER, cluster, app, from_height, limit) }, 200);
  },
);

notary.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/blocks/{height}",
    summary: "One LogBlock and its leaves in order (viewer)",
    request: { params: ClusterAppParam.extend({ height: z.coerce.number().int().min(1).openapi({ param: { name: "height", in: "path" } }) }) },
    responses: { 200: json(z.object({ block: Block, receipts: z.array(HashText) }), "Block") },
  }),
  async (c) => {
    const { cluster, app, height } = c.req.valid("param");
    await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "viewer"));
    const found = await getBlock(c.env.LEDGER, cluster, app, height);
    if (!found) fail(404, `no block ${height} for ${cluster}/${app}`, { field: "height" });
    return c.json(found, 200);
  },
);

notary.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/blocks/{height}/receipts",
    summary: "The full StepReceipts of one LogBlock in leaf order, for independent verification (viewer)",
    request: { params: ClusterAppParam.extend({ height: z.coerce.number().int().min(1).openapi({ param: { name: "height", in: "path" } }) }) },
    responses: { 200: json(z.object({ receipts: z.array(z.looseObject({ hash: HashText })) }), "Receipts") },
  }),
  async (c) => {
    const { cluster, app, height } = c.req.valid("param");
    await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "viewer"));
    return c.json({ receipts: await blockReceipts(c.env.LEDGER, cluster, app, height) }, 200);
  },
);
