import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { clusterRoute } from "../lib/route.ts";
import { notaryStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { blockReceipts, getBlock, listBlocks } from "../../domain/ledger/queries.ts";
import { HashText } from "../../protocol/api/common.ts";
import { ClusterAppParam, json } from "../lib/openapi.ts";
import { NotaryStats } from "../../protocol/api/notary.ts";
import { sealPolicy } from "../../domain/notary/sealing.ts";
import { LogBlockSchema } from "../../protocol/schemas.ts";
import { ChainHeadSchema } from "../../protocol/head.ts";

export const notary = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Block = LogBlockSchema;

notary.openapi(
  clusterRoute("admin", {
    method: "post",
    path: "/v1/clusters/{cluster}/apps/{app}/seal",
    summary: "Seal the pending receipts into a LogBlock now (admin)",
    request: { params: ClusterAppParam },
    responses: { 201: json(z.object({ block: Block }), "Sealed"), 204: { description: "Nothing pending" } },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    const block = await unwrap(notaryStub(c.env, cluster, app).seal(sealPolicy(c.var.clusterConfig)));
    if (!block) return c.body(null, 204);
    return c.json({ block }, 201);
  },
);

notary.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/notary",
    summary: "Notary state of an app (viewer)",
    request: { params: ClusterAppParam },
    responses: {
      200: json(NotaryStats, "Stats"),
    },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    return c.json(await notaryStub(c.env, cluster, app).stats(sealPolicy(c.var.clusterConfig)), 200);
  },
);

notary.openapi(
  clusterRoute("viewer", {
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
    return c.json({ blocks: await listBlocks(c.env.LEDGER, cluster, app, from_height, limit) }, 200);
  },
);

notary.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/blocks/{height}",
    summary: "One LogBlock and its leaves in order (viewer)",
    request: { params: ClusterAppParam.extend({ height: z.coerce.number().int().min(1).openapi({ param: { name: "height", in: "path" } }) }) },
    responses: { 200: json(z.object({ block: Block, receipts: z.array(HashText) }), "Block") },
  }),
  async (c) => {
    const { cluster, app, height } = c.req.valid("param");
    const found = await getBlock(c.env.LEDGER, cluster, app, height);
    if (!found) fail(404, `no block ${height} for ${cluster}/${app}`, { field: "height" });
    return c.json(found, 200);
  },
);

notary.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/blocks/{height}/receipts",
    summary: "The full StepReceipts of one LogBlock in leaf order, for independent verification (viewer)",
    request: { params: ClusterAppParam.extend({ height: z.coerce.number().int().min(1).openapi({ param: { name: "height", in: "path" } }) }) },
    responses: { 200: json(z.object({ receipts: z.array(z.looseObject({ hash: HashText })) }), "Receipts") },
  }),
  async (c) => {
    const { cluster, app, height } = c.req.valid("param");
    return c.json({ receipts: await blockReceipts(c.env.LEDGER, cluster, app, height) }, 200);
  },
);

notary.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/apps/{app}/head",
    summary: "The app's LogBlock chain head (height and last block hash), signed by the notary key; a verifier's history must reach it (viewer)",
    request: { params: ClusterAppParam },
    responses: { 200: json(ChainHeadSchema, "Signed head") },
  }),
  async (c) => {
    const { cluster, app } = c.req.valid("param");
    return c.json(await unwrap(notaryStub(c.env, cluster, app).head()), 200);
  },
);
