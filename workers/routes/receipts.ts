import { OpenAPIHono, z } from "@hono/zod-openapi";
import { inclusionPath } from "../../protocol/merkle.ts";
import { hashToText, textToHash } from "../../protocol/hash.ts";
import { InclusionProof, StepReceiptSchema } from "../../protocol/schemas.ts";
import type { AppEnv } from "../env.ts";
import { fail, problemResponse, ProblemException } from "../../domain/problem.ts";
import type { Result } from "../../domain/result.ts";
import { clusterRoute, signedRoute } from "../lib/route.ts";
import { clusterStub, notaryStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { blockLeaves, getReceipt } from "../../domain/ledger/queries.ts";
import { sealPolicy } from "../../domain/notary/sealing.ts";
import { HashText } from "../../protocol/api/common.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { TlogInclusion } from "../../protocol/api/tlog.ts";
import { settleCageJob } from "../lib/cage-verdict.ts";
import { verifyThenAdmitApps } from "../lib/notary-admit.ts";

export const receipts = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const SubmitBody = z.object({ receipts: z.array(StepReceiptSchema).min(1).max(1000) }).strict().openapi("ReceiptBatch");

receipts.openapi(
  clusterRoute("node", {
    method: "post",
    path: "/v1/clusters/{cluster}/receipts",
    summary: "Submit StepReceipts (node); each receipt's `node` must be the signer",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: SubmitBody } }, required: true } },
    responses: {
      202: json(z.object({ accepted: z.number().int(), duplicates: z.number().int() }), "Accepted"),
      422: { description: "A receipt failed verification or is outside the node's replicas; `field` names its index" },
      429: { description: "The node is over its receipt rate; Retry-After says when to send again" },
    },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { receipts: batch } = c.req.valid("json");
    const actor = c.get("actor");
    const limits = sealPolicy(c.var.clusterConfig);
    // Group by app (one NotaryDO each), keeping each receipt's batch index for error messages.
    const groups = new Map<string, number[]>();
    batch.forEach((r, i) => {
      if (r.node !== actor) fail(422, `receipt ${i}: node ${r.node} is not the request signer`, { field: `receipts[${i}].node`, index: i });
      if (r.cluster !== cluster) fail(422, `receipt ${i}: cluster ${r.cluster} is not ${cluster}`, { field: `receipts[${i}].cluster`, index: i });
      groups.set(r.app, [...(groups.get(r.app) ?? []), i]);
    });
    // One ClusterDO call before any NotaryDO is touched: the node's rate, the receipts' times, and
    // that each names a replica the node runs or ran and a container of it.
    const scope = (await clusterStub(c.env, cluster).admitReceipts(actor, batch.map((r) => ({ app: r.app, container: r.container, ts: r.ts })))) as unknown as Result<unknown>;
    if (!scope.ok) {
      const res = problemResponse(scope.problem);
      if (typeof scope.problem.retry_after_s === "number") res.headers.set("retry-after", String(scope.problem.retry_after_s));
      return res;
    }
    // Verified here, in this Worker, every app's receipts before any NotaryDO admits (workers/lib/notary-admit.ts).
    const { accepted, duplicates } = await unwrap(
      verifyThenAdmitApps(c.env.NOTARY, cluster, limits, [...groups].map(([app, idx]) => ({ app, receipts: idx.map((i) => batch[i]), indexes: idx }))),
    );
    // A CueCage job is decided by its runs' exit receipts: look once they are in.
    const ended = new Set(batch.filter((r) => r.op === "exit" || r.op === "oom").map((r) => r.app));
    for (const app of ended) await settleCageJob(c.env, cluster, app).catch((e: unknown) => console.warn(`cage verdict for ${app}: ${(e as Error).message}`));
    return c.json({ accepted, duplicates }, 202);
  },
);

receipts.openapi(
  signedRoute({
    method: "get",
    path: "/v1/receipts/{hash}",
    summary: "A receipt and its Merkle inclusion proof (null while pending); viewer of its cluster",
    request: { params: z.object({ hash: HashText.openapi({ param: { name: "hash", in: "path" } }) }) },
    responses: {
      200: json(z.object({ receipt: z.looseObject({}), inclusion: InclusionProof.nullable(), tlog_inclusion: TlogInclusion.nullable().optional() }), "Receipt"),
    },
  }),
  async (c) => {
    const { hash } = c.req.valid("param");
    const found = await getReceipt(c.env.LEDGER, hash);
    // Not-found and not-allowed look the same to strangers: existence is not leaked.
    if (!found) fail(404, `no receipt ${hash}`, { field: "hash" });
    // A stranger is told what an unknown hash gets (the cluster's 404 names the cluster instead).
    await unwrap(clusterStub(c.env, found.cluster).authorize(c.get("actor"), "viewer")).catch((e: unknown) => {
      if (e instanceof ProblemException && e.problem.status === 404) fail(404, `no receipt ${hash}`, { field: "hash" });
      throw e;
    });
    if (found.height == null || found.leafIndex == null) return c.json({ receipt: found.receipt, inclusion: null }, 200);
    const leaves = await blockLeaves(c.env.LEDGER, found.cluster, found.app, found.height);
    const raw = leaves.map(textToHash);
    const path = inclusionPath(raw, found.leafIndex).map(hashToText);
    // Its place in the app's C2SP log (PROTOCOL.md §6), from the notary that keeps the log.
    const tlog_inclusion = await notaryStub(c.env, found.cluster, found.app).logInclusion(hash);
    return c.json(
      {
        receipt: found.receipt,
        tlog_inclusion,
        inclusion: { cluster: found.cluster, app: found.app, height: found.height, leaf_index: found.leafIndex, tree_size: leaves.length, path },
      },
      200,
    );
  },
);

