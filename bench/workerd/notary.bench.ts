import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ed25519 } from "@noble/curves/ed25519.js";
import { it } from "vitest";
import type { NotaryDO } from "../../durable-objects/notary/notary-do.ts";
import { randomBytes } from "../../protocol/bytes.ts";
import { ed25519Backend, generateSeed, setEd25519Backend, signerFromSeed, verifySignature } from "../../protocol/ed25519.ts";
import { receiptChain } from "../../test/worker/helpers.ts";
import { median, report } from "./stats.ts";

/*
 * Measured inside workerd through the NotaryDO's RPC (verification, chain checks, SQLite
 * transaction and the D1 flush included).
 */
it("NotaryDO ingest and seal", async () => {
  const node = await signerFromSeed(generateSeed());
  const cluster = "bench";
  const batches = 40;
  const chains = await Promise.all(Array.from({ length: batches }, (_, i) => receiptChain(node, cluster, "ingest", `c-${i}`, 100)));
  const stub = env.NOTARY.get(env.NOTARY.idFromName(`${cluster}/ingest`));
  const big = { max_receipts_per_block: 10_000, max_block_window_s: 3600 };
  await stub.submit(big, await receiptChain(node, cluster, "ingest", "warmup", 100));
  const t0 = performance.now();
  for (const chain of chains) {
    const r = await stub.submit(big, chain);
    if (!r.ok) throw new Error(r.problem.detail);
  }
  const secs = (performance.now() - t0) / 1000;
  report("notary.ingest_receipts_per_s", (batches * 100) / secs, "receipts/s", ">= 3000");

  // Seal time of a 100-receipt block: the sealing transaction itself (Merkle root, signature,
  // inserts), measured inside the DO, and the whole RPC including the D1 flush.
  const sealStub = env.NOTARY.get(env.NOTARY.idFromName(`${cluster}/seal`));
  const inDo: number[] = [];
  const rpc: number[] = [];
  for (let i = 0; i < 30; i++) {
    await sealStub.submit(big, await receiptChain(node, cluster, "seal", `s-${i}`, 100));
    const t = performance.now();
    const res = await sealStub.seal(big);
    rpc.push(performance.now() - t);
    if (!res.ok || !res.value) throw new Error("seal failed");
  }
  // In the DO: 40 blocks' worth pending, then each sealing transaction timed on its own.
  for (let i = 0; i < 40; i++) await sealStub.submit(big, await receiptChain(node, cluster, "seal", `t-${i}`, 100));
  await runInDurableObject(sealStub, (inst: NotaryDO) => {
    const self = inst as unknown as { sealOne(): unknown; store: { setLimits(l: object): void }; ctx: DurableObjectState };
    self.ctx.storage.transactionSync(() => self.store.setLimits({ max_receipts_per_block: 100, max_block_window_s: 3600 }));
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      self.ctx.storage.transactionSync(() => self.sealOne());
      inDo.push(performance.now() - t);
    }
  });
  report("notary.seal_100_median_ms_rpc_incl_d1", median(rpc), "ms");
  report("notary.seal_100_median_ms_in_do", median(inDo), "ms", "< 5");
});

it("Ed25519 verify/s: chosen backend vs @noble/curves", async () => {
  const seed = generateSeed();
  const pub = ed25519.getPublicKey(seed);
  const msgs = Array.from({ length: 2000 }, () => randomBytes(64));
  const sigs = msgs.map((m) => ed25519.sign(m, seed));
  for (const backend of ["auto", "noble"] as const) {
    setEd25519Backend(backend);
    await verifySignature(pub, msgs[0], sigs[0]);
    const start = performance.now();
    for (let i = 0; i < msgs.length; i++) {
      if (!(await verifySignature(pub, msgs[i], sigs[i]))) throw new Error("verify failed");
    }
    const secs = (performance.now() - start) / 1000;
    report(`ed25519.verify_per_s.${backend === "auto" ? ed25519Backend() : "noble"}`, msgs.length / secs, "verify/s");
  }
  setEd25519Backend("auto");
});
