import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ed25519 } from "@noble/curves/ed25519.js";
import { it } from "vitest";
import type { NotaryDO } from "../../durable-objects/notary/notary-do.ts";
import { randomBytes } from "../../protocol/bytes.ts";
import { ed25519Backend, generateSeed, setEd25519Backend, signerFromSeed, verifySignature } from "../../protocol/ed25519.ts";
import { receiptChain } from "../../test/worker/helpers.ts";
import { median, report } from "./stats.ts";

const BATCHES = 48;
const PER_BATCH = 100;
/** Batches in flight at once, as from several nodes. */
const IN_FLIGHT = 8;

/** `n` (public key, message, signature) triples of one key, for the reference verify rate. */
function signedMessages(n: number) {
  const seed = generateSeed();
  const pub = ed25519.getPublicKey(seed);
  const msgs = Array.from({ length: n }, () => randomBytes(52));
  return { pub, msgs, sigs: msgs.map((m) => ed25519.sign(m, seed)) };
}

/*
 * Measured inside workerd through the NotaryDO's RPC: verification, chain checks and the SQLite
 * transaction included. A submit returns once its batch is committed in the DO's SQLite; D1 is
 * filled behind it (each round's drain is awaited and timed apart, and added in a second figure).
 * Eight batches are in flight at a time, as from eight nodes; one batch at a time is reported
 * too. The reference, WebCrypto Ed25519 verifications one after another through the same
 * verifySignature the notary uses, is timed interleaved with the ingest rounds, so load from
 * other processes on this shared host falls on both alike.
 */
it("NotaryDO ingest vs WebCrypto verify, and seal", async () => {
  const node = await signerFromSeed(generateSeed());
  const cluster = "bench";
  const chains = await Promise.all(Array.from({ length: BATCHES }, (_, i) => receiptChain(node, cluster, "ingest", `c-${i}`, PER_BATCH)));
  const ref = signedMessages(PER_BATCH);
  const stub = env.NOTARY.get(env.NOTARY.idFromName(`${cluster}/ingest`));
  const big = { max_receipts_per_block: 10_000, max_block_window_s: 3600 };
  await stub.submit(big, await receiptChain(node, cluster, "ingest", "warmup", PER_BATCH));
  for (let i = 0; i < PER_BATCH; i++) await verifySignature(ref.pub, ref.msgs[i], ref.sigs[i]);
  const verifyRound = async (n: number) => {
    const t = performance.now();
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < PER_BATCH; i++) if (!(await verifySignature(ref.pub, ref.msgs[i], ref.sigs[i]))) throw new Error("verify failed");
    }
    return performance.now() - t;
  };
  const submitAll = async (batch: typeof chains) => {
    const t = performance.now();
    for (const r of await Promise.all(batch.map((c) => stub.submit(big, c)))) if (!r.ok) throw new Error(r.problem.detail);
    return performance.now() - t;
  };
  // D1 is filled behind the answers (by the flush alarm): each round's drain is awaited and timed
  // apart, so it neither slows the next verify round nor hides in the ingest figure.
  const drain = async () => {
    const t = performance.now();
    await stub.flushLedger();
    return performance.now() - t;
  };
  await drain();
  let ingestMs = 0;
  let verifyMs = 0;
  let drainMs = 0;
  for (let b = 0; b < BATCHES - 8; b += IN_FLIGHT) {
    verifyMs += await verifyRound(IN_FLIGHT);
    ingestMs += await submitAll(chains.slice(b, b + IN_FLIGHT));
    drainMs += await drain();
  }
  const ingest = ((BATCHES - 8) * PER_BATCH) / (ingestMs / 1000);
  const verify = ((BATCHES - 8) * PER_BATCH) / (verifyMs / 1000);
  // One batch at a time: each submit pays a whole D1 round trip of its own.
  let seqMs = 0;
  let seqVerifyMs = 0;
  for (let b = BATCHES - 8; b < BATCHES; b++) {
    seqVerifyMs += await verifyRound(1);
    seqMs += await submitAll([chains[b]]);
    await drain();
  }
  const inD1 = await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ? AND app = 'ingest'").bind(cluster).first<{ n: number }>();
  if (inD1?.n !== (BATCHES + 1) * PER_BATCH) throw new Error(`D1 holds ${inD1?.n} receipts, expected ${(BATCHES + 1) * PER_BATCH}`);
  report("notary.ingest_receipts_per_s", ingest, "receipts/s");
  report("ed25519.verify_per_s.webcrypto_reference", verify, "verify/s");
  report("notary.ingest_over_verify", ingest / verify, "ratio", ">= 0.70");
  report("notary.ingest_then_d1_drained_over_verify", ((BATCHES - 8) * PER_BATCH) / ((ingestMs + drainMs) / 1000) / verify, "ratio");
  report("notary.ingest_one_batch_in_flight_over_verify", (8 * PER_BATCH) / (seqMs / 1000) / ((8 * PER_BATCH) / (seqVerifyMs / 1000)), "ratio");

  // Seal of a 100-receipt block inside the DO: the sealing transaction (pending rows, Merkle
  // root, signature, block and leaf writes, outbox, schedule), 40 of them timed together (the
  // workerd clock ticks in whole milliseconds). Then the whole RPC including the D1 flush.
  const sealStub = env.NOTARY.get(env.NOTARY.idFromName(`${cluster}/seal`));
  for (let i = 0; i < 40; i++) await sealStub.submit(big, await receiptChain(node, cluster, "seal", `t-${i}`, PER_BATCH));
  await sealStub.flushLedger(); // no D1 work of the submits left running under the seals
  const inDo = await runInDurableObject(sealStub, (inst: NotaryDO) => {
    const self = inst as unknown as { sealOne(): unknown; store: { setLimits(l: object): void }; ctx: DurableObjectState };
    self.ctx.storage.transactionSync(() => self.store.setLimits({ max_receipts_per_block: PER_BATCH, max_block_window_s: 3600 }));
    self.ctx.storage.transactionSync(() => self.sealOne());
    const start = performance.now();
    for (let i = 0; i < 39; i++) if (!self.ctx.storage.transactionSync(() => self.sealOne())) throw new Error("nothing to seal");
    return (performance.now() - start) / 39;
  });
  report("notary.seal_100_ms_in_do", inDo, "ms", "< 2");
  const rpc: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sealStub.submit(big, await receiptChain(node, cluster, "seal", `s-${i}`, PER_BATCH));
    const t = performance.now();
    const res = await sealStub.seal(big);
    rpc.push(performance.now() - t);
    if (!res.ok || !res.value) throw new Error("seal failed");
  }
  report("notary.seal_100_median_ms_rpc_incl_d1_and_audit", median(rpc), "ms");
});

it("Ed25519 verify/s: chosen backend vs @noble/curves", async () => {
  const { pub, msgs, sigs } = signedMessages(2000);
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
