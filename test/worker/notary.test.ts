import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { textToHash } from "../../protocol/hash.ts";
import { verifyInclusion } from "../../protocol/merkle.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { hashReceipt, logBlockHash, verifyLogBlock } from "../../protocol/signed.ts";
import { canonicalize } from "../../protocol/jcs.ts";
import { verifyThenAdmit } from "../../workers/lib/notary-admit.ts";
import { deployApp, joinNode, ledgerFlushed, newCluster, receiptChain } from "./helpers.ts";

const limits = (max: number, windowS = 300) => ({ notary: { max_receipts_per_block: max, max_block_window_s: windowS } });

async function setup(max: number, windowS = 300) {
  const { name, owner } = await newCluster(limits(max, windowS));
  const node = await joinNode(owner.api, name);
  return { name, owner, node };
}

const submit = (api: { post: (p: string, b: unknown) => Promise<unknown> }, cluster: string, receipts: StepReceipt[]) =>
  api.post(`/v1/clusters/${cluster}/receipts`, { receipts }) as Promise<{ accepted: number; duplicates: number }>;

describe("NotaryDO sealing", () => {
  it("seals by count, with consecutive heights chained by prev and valid notary signatures", async () => {
    const { name, owner, node } = await setup(5);
    const chain = await receiptChain(node.signer, name, "web", (await deployApp(owner.api, name, "web")).container, 12);
    expect(await submit(node.api, name, chain)).toEqual({ accepted: 12, duplicates: 0 });
    const stats = await owner.api.get<Record<string, number>>(`/v1/clusters/${name}/apps/web/notary`);
    expect(stats).toEqual({ pending_receipts: 2, current_height: 2, max_receipts_per_block: 5, max_block_window_s: 300 });
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${name}/apps/web/blocks`);
    expect(blocks.map((b) => [b.height, b.count])).toEqual([[1, 5], [2, 5]]);
    expect(blocks[1].prev).toBe(logBlockHash(blocks[0]));
    const { notary } = await owner.api.get<{ notary: string }>("/v1/keys");
    for (const b of blocks) expect(await verifyLogBlock(b, notary)).toEqual({ ok: true });
  });

  it("seals by window when the alarm fires", async () => {
    const { name, owner, node } = await setup(100, 1);
    await submit(node.api, name, await receiptChain(node.signer, name, "batch", (await deployApp(owner.api, name, "batch")).container, 3));
    const stub = env.NOTARY.get(env.NOTARY.idFromName(`${name}/batch`));
    await new Promise((r) => setTimeout(r, 1100));
    await runDurableObjectAlarm(stub);
    const stats = await owner.api.get<Record<string, number>>(`/v1/clusters/${name}/apps/batch/notary`);
    expect(stats.pending_receipts).toBe(0);
    expect(stats.current_height).toBe(1);
  });

  it("a window seal whose delivery to the cluster fails leaves the retry to the deliver task, not the seal task", async () => {
    const { name, owner, node } = await setup(100);
    await submit(node.api, name, await receiptChain(node.signer, name, "late", (await deployApp(owner.api, name, "late")).container, 3));
    const stub = env.NOTARY.get(env.NOTARY.idFromName(`${name}/late`));
    const tasks = await runInDurableObject(stub, async (inst, state) => {
      // The outer edge: the ClusterDO does not answer. The window is over (its task due now).
      (inst as unknown as { deliver: () => Promise<void> }).deliver = () => Promise.reject(new Error("cluster unavailable"));
      state.storage.sql.exec("UPDATE schedule SET due_at = ? WHERE task = 'seal'", Date.now() - 1);
      await (inst as unknown as { alarm: () => Promise<void> }).alarm();
      return state.storage.sql.exec<{ task: string; attempts: number }>("SELECT task, attempts FROM schedule ORDER BY task").toArray();
    });
    expect(tasks.map((t) => t.task)).toContain("deliver");
    expect(tasks.find((t) => t.task === "seal")).toBeUndefined();
    const stats = await owner.api.get<Record<string, number>>(`/v1/clusters/${name}/apps/late/notary`);
    expect(stats).toMatchObject({ pending_receipts: 0, current_height: 1 });
  });

  it("seals on demand: 201 with the block, then 204 when nothing is pending", async () => {
    const { name, owner, node } = await setup(100);
    await submit(node.api, name, await receiptChain(node.signer, name, "api", (await deployApp(owner.api, name, "api")).container, 3));
    const res = await owner.api.raw("POST", `/v1/clusters/${name}/apps/api/seal`);
    expect(res.status).toBe(201);
    const { block } = (await res.json()) as { block: LogBlock };
    expect(block).toMatchObject({ height: 1, count: 3, cluster: name, app: "api" });
    expect((await owner.api.raw("POST", `/v1/clusters/${name}/apps/api/seal`)).status).toBe(204);
    // A node may not force a seal.
    await expect(node.api.post(`/v1/clusters/${name}/apps/api/seal`)).rejects.toMatchObject({ status: 403 });
  });

  it("keeps heights consecutive under concurrent submissions", async () => {
    const { name, owner, node } = await setup(4);
    const { replica } = await deployApp(owner.api, name, "hot");
    const chains = await Promise.all(Array.from({ length: 8 }, (_, i) => receiptChain(node.signer, name, "hot", `${replica}.${i}`, 5)));
    const results = await Promise.all(chains.map((c) => submit(node.api, name, c)));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(40);
    await owner.api.post(`/v1/clusters/${name}/apps/hot/seal`);
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${name}/apps/hot/blocks?limit=1000`);
    expect(blocks.map((b) => b.height)).toEqual(blocks.map((_, i) => i + 1));
    expect(blocks.reduce((n, b) => n + b.count, 0)).toBe(40);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i].prev).toBe(logBlockHash(blocks[i - 1]));
  });
});

describe("NotaryDO receipt checks", () => {
  it("counts re-sent receipts as duplicates", async () => {
    const { name, owner, node } = await setup(100);
    const chain = await receiptChain(node.signer, name, "dup", (await deployApp(owner.api, name, "dup")).container, 3);
    await submit(node.api, name, chain.slice(0, 2));
    expect(await submit(node.api, name, chain)).toEqual({ accepted: 1, duplicates: 2 });
  });

  it("rejects an unknown predecessor and a fork with 422 naming the index, admitting nothing", async () => {
    const { name, owner, node } = await setup(100);
    const { container } = await deployApp(owner.api, name, "fk");
    const chain = await receiptChain(node.signer, name, "fk", container, 2);
    const orphan = await receiptChain(node.signer, name, "fk", container, 1, "blake3:" + "ab".repeat(32));
    await expect(submit(node.api, name, [chain[0], orphan[0]])).rejects.toMatchObject({
      status: 422,
      problem: { field: "receipts[1].prev_hash" },
    });
    await submit(node.api, name, chain);
    const fork = await receiptChain(node.signer, name, "fk", container, 1, chain[0].hash);
    await expect(submit(node.api, name, fork)).rejects.toMatchObject({ status: 422, problem: { detail: expect.stringMatching(/fork/) } });
    const stats = await owner.api.get<Record<string, number>>(`/v1/clusters/${name}/apps/fk/notary`);
    expect(stats.pending_receipts).toBe(2);
  });

  it("rejects a tampered receipt and one signed for another node", async () => {
    const { name, owner, node } = await setup(100);
    const [r] = await receiptChain(node.signer, name, "tm", (await deployApp(owner.api, name, "tm")).container, 1);
    await expect(submit(node.api, name, [{ ...r, op: "exit" }])).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0]" } });
    const other = await joinNode(owner.api, name);
    await expect(submit(other.api, name, [r])).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].node" } });
  });

  it("serves a receipt with an inclusion proof that verifies against its block", async () => {
    const { name, owner, node } = await setup(100);
    const chain = await receiptChain(node.signer, name, "inc", (await deployApp(owner.api, name, "inc")).container, 7);
    await submit(node.api, name, chain);
    await ledgerFlushed(name, "inc");
    const pending = await owner.api.get<{ inclusion: unknown }>(`/v1/receipts/${chain[3].hash}`);
    expect(pending.inclusion).toBeNull();
    await owner.api.post(`/v1/clusters/${name}/apps/inc/seal`);
    const got = await owner.api.get<{ receipt: StepReceipt; inclusion: { leaf_index: number; tree_size: number; path: string[]; height: number } }>(
      `/v1/receipts/${chain[3].hash}`,
    );
    expect(got.receipt).toEqual(chain[3]);
    const { block } = await owner.api.get<{ block: LogBlock }>(`/v1/clusters/${name}/apps/inc/blocks/${got.inclusion.height}`);
    const ok = verifyInclusion(textToHash(chain[3].hash), got.inclusion.leaf_index, got.inclusion.tree_size, got.inclusion.path.map(textToHash), textToHash(block.merkle_root));
    expect(ok).toBe(true);
    const stranger = (await joinNode(owner.api, name)).api;
    await expect(stranger.get(`/v1/receipts/${chain[3].hash}`)).rejects.toMatchObject({ status: 403 });
  });

  it("takes its cluster and app from the name it is addressed by, and refuses to notarise without one", async () => {
    const { name, node } = await setup(100);
    const chain = await receiptChain(node.signer, name, "named", "c1", 2);
    const lim = { max_receipts_per_block: 100, max_block_window_s: 300 };
    expect(await verifyThenAdmit(env.NOTARY, name, "named", lim, chain)).toMatchObject({ ok: true, value: { accepted: 2 } });
    expect(await verifyThenAdmit(env.NOTARY, name, "other", lim, chain)).toMatchObject({ ok: false, problem: { status: 422, field: "receipts[0].app" } });
    // The DO checks its own identity too, whoever verified the receipts.
    const entries = chain.map((r) => canonicalize(r));
    expect(await env.NOTARY.getByName(`${name}/other`).admitVerified(lim, entries)).toMatchObject({ ok: false, problem: { status: 422, field: "receipts[0].app" } });
    const unnamed = env.NOTARY.get(env.NOTARY.newUniqueId());
    expect(await unnamed.admitVerified(lim, entries)).toMatchObject({ ok: false, problem: { status: 500 } });
  });

  it("refuses an altered or forged receipt in the Worker: the batch never reaches the NotaryDO's storage", async () => {
    const { name, owner, node } = await setup(100);
    const { container } = await deployApp(owner.api, name, "alt");
    const chain = await receiptChain(node.signer, name, "alt", container, 3);
    const stub = env.NOTARY.getByName(`${name}/alt`);
    const tables = () => runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray());
    // Altered after signing (its hash no longer matches), and re-hashed but not re-signed.
    const altered = { ...chain[1], op: "exit" as const };
    const rehashed = { ...altered, hash: hashReceipt(altered) };
    for (const bad of [altered, rehashed]) {
      await expect(submit(node.api, name, [chain[0], bad, chain[2]])).rejects.toMatchObject({ status: 422, problem: { field: "receipts[1]" } });
    }
    // The DO was never asked to admit: it created no schema (it keeps none until its first write).
    expect(await tables()).toEqual([]);
    expect(await submit(node.api, name, chain)).toEqual({ accepted: 3, duplicates: 0 });
    const bodies = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ body: string }>("SELECT body FROM receipts ORDER BY seq").toArray().map((r) => r.body));
    expect(bodies).toEqual(chain.map((r) => canonicalize(r)));
  });

  it("a request for two apps with a forged receipt in the second stores nothing in either", async () => {
    const { name, owner, node } = await setup(100);
    const first = await receiptChain(node.signer, name, "one", (await deployApp(owner.api, name, "one")).container, 2);
    const second = await receiptChain(node.signer, name, "two", (await deployApp(owner.api, name, "two")).container, 2);
    const forged = { ...second[1], op: "exit" as const };
    await expect(submit(node.api, name, [...first, second[0], forged])).rejects.toMatchObject({ status: 422, problem: { field: "receipts[3]" } });
    for (const app of ["one", "two"]) {
      const tables = await runInDurableObject(env.NOTARY.getByName(`${name}/${app}`), (_i, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray());
      expect(tables).toEqual([]);
    }
    expect(await submit(node.api, name, [...first, ...second])).toEqual({ accepted: 4, duplicates: 0 });
  });
});
