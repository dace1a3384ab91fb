// The NotaryDO ingest measurement, shared by the bench inside the vitest pool
// (bench/workerd/notary.bench.ts) and the one in plain `wrangler dev` (bench/workerd-plain/).
import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "../protocol/bytes.ts";
import { generateSeed, signerFromSeed, verifySignature } from "../protocol/ed25519.ts";
import type { StepReceipt } from "../protocol/schemas.ts";
import { verifyThenAdmit, type NotaryNamespace } from "../workers/lib/notary-admit.ts";
import { notaryName } from "../domain/notary/identity.ts";
import type { NotaryLimits } from "../domain/notary/sealing.ts";
import { receiptChain } from "../test/worker/helpers.ts";

export const BATCHES = 48;
/** Batches each of the IN_FLIGHT lanes sends one after another in the pipelined figure. */
export const LANE_BATCHES = 5;
export const PER_BATCH = 100;
/** Batches in flight at once, as from several nodes. */
export const IN_FLIGHT = 8;

/** What the ingest bench needs of the NOTARY binding: what the route needs, and the D1 read barrier. */
export interface IngestTarget extends NotaryNamespace {
  getByName(name: string): ReturnType<NotaryNamespace["getByName"]> & { flushLedger(): Promise<void> };
}

export interface IngestFigures {
  ingest_per_s: number;
  verify_per_s: number;
  /** Each round's D1 drain added to the ingest time. */
  ingest_then_drained_over_verify: number;
  one_batch_in_flight_over_verify: number;
  /**
   * IN_FLIGHT lanes, each sending its next batch when the last is answered (as nodes do), over
   * the verify rate timed around them. The rounds above wait for all eight batches before the
   * next eight, so the verification of a round never overlaps the admission of the one before;
   * here it may, when the Worker and the DO run on different threads (bench/workerd-split/).
   */
  pipelined_over_verify: number;
  /** Receipts of the rounds (the span of ingest_per_s). */
  round_receipts: number;
  receipts: number;
}

/** `n` (public key, message, signature) triples of one key, for the reference verify rate. */
export function signedMessages(n: number) {
  const seed = generateSeed();
  const pub = ed25519.getPublicKey(seed);
  const msgs = Array.from({ length: n }, () => randomBytes(52));
  return { pub, msgs, sigs: msgs.map((m) => ed25519.sign(m, seed)) };
}

/*
 * Ingest through the route's path (verifyThenAdmit): the Worker's verification, then the
 * NotaryDO's RPC with its chain checks and SQLite transaction, all included. A submit returns once
 * its batch is committed in the DO's SQLite; D1 is filled behind
 * it (each round's drain is awaited and timed apart, and added in a second figure). Eight batches
 * are in flight at a time, as from eight nodes; one batch at a time is reported too. The
 * reference, WebCrypto Ed25519 verifications one after another through the same verifySignature
 * the notary uses, is timed interleaved with the ingest rounds, so load from other processes on a
 * shared host falls on both alike. `app` names a fresh NotaryDO of `cluster`.
 */
export async function measureIngest(
  notary: IngestTarget,
  cluster: string,
  app: string,
  mark?: (label: "submit" | "verify" | "idle") => Promise<void>,
  /**
   * Awaited before each batch's verification. The split bench's front yields a macrotask there,
   * as when each batch is a request of its own (as from a node): without it, one invocation's
   * eight batches were verified in one synchronous pass before the first RPC left, so the DO's
   * process and the front's never worked at once (0.38–0.39 against 0.53–0.54 with it, 18:05 UTC).
   */
  stagger?: () => Promise<void>,
): Promise<IngestFigures> {
  const stub = notary.getByName(notaryName(cluster, app));
  const submit = async (limits: NotaryLimits, receipts: StepReceipt[]) => {
    if (stagger) await stagger();
    return verifyThenAdmit(notary, cluster, app, limits, receipts);
  };
  const node = await signerFromSeed(generateSeed());
  const chains = await Promise.all(Array.from({ length: BATCHES }, (_, i) => receiptChain(node, cluster, app, `c-${i}`, PER_BATCH)));
  const lanes = await Promise.all(
    Array.from({ length: IN_FLIGHT }, (_, l) => Promise.all(Array.from({ length: LANE_BATCHES }, (_, i) => receiptChain(node, cluster, app, `l-${l}-${i}`, PER_BATCH)))),
  );
  const ref = signedMessages(PER_BATCH);
  const big = { max_receipts_per_block: 10_000, max_block_window_s: 3600 };
  const warm = await submit(big, await receiptChain(node, cluster, app, "warmup", PER_BATCH));
  if (!warm.ok) throw new Error(warm.problem.detail);
  for (let i = 0; i < PER_BATCH; i++) await verifySignature(ref.pub, ref.msgs[i], ref.sigs[i]);
  const verifyRound = async (n: number) => {
    const t = performance.now();
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < PER_BATCH; i++) if (!(await verifySignature(ref.pub, ref.msgs[i], ref.sigs[i]))) throw new Error("verify failed");
    }
    return performance.now() - t;
  };
  // `mark` (the split bench's) lets the runner read the processes' CPU time around each round's
  // submits and verify round, outside the timed spans.
  // Only the rounds' submits are marked: the runner divides their CPU by `round_receipts`.
  const submitAll = async (batch: StepReceipt[][], marked = false) => {
    if (marked) await mark?.("submit");
    const t = performance.now();
    for (const r of await Promise.all(batch.map((c) => submit(big, c)))) if (!r.ok) throw new Error(r.problem.detail);
    const ms = performance.now() - t;
    if (marked) await mark?.("idle");
    return ms;
  };
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
    await mark?.("verify");
    verifyMs += await verifyRound(IN_FLIGHT);
    await mark?.("idle");
    ingestMs += await submitAll(chains.slice(b, b + IN_FLIGHT), true);
    drainMs += await drain();
  }
  const n = (BATCHES - 8) * PER_BATCH;
  const verify = n / (verifyMs / 1000);
  // One batch at a time: each submit pays a whole RPC of its own.
  let seqMs = 0;
  let seqVerifyMs = 0;
  for (let b = BATCHES - 8; b < BATCHES; b++) {
    seqVerifyMs += await verifyRound(1);
    seqMs += await submitAll([chains[b]]);
    await drain();
  }
  // The lanes, unlike the rounds, include whatever D1 flush the alarm runs meanwhile (its delay
  // is LEDGER_FLUSH_DELAY_MS): a figure of the whole pipeline, not of the submits alone.
  const half = (IN_FLIGHT * LANE_BATCHES) / 2;
  let laneVerifyMs = await verifyRound(half);
  const t = performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      for (const c of lane) {
        const r = await submit(big, c);
        if (!r.ok) throw new Error(r.problem.detail);
      }
    }),
  );
  const lanesMs = performance.now() - t;
  laneVerifyMs += await verifyRound(half);
  await drain();
  return {
    ingest_per_s: n / (ingestMs / 1000),
    verify_per_s: verify,
    ingest_then_drained_over_verify: n / ((ingestMs + drainMs) / 1000) / verify,
    one_batch_in_flight_over_verify: seqVerifyMs / seqMs,
    pipelined_over_verify: laneVerifyMs / lanesMs,
    round_receipts: n,
    receipts: (BATCHES + 1 + IN_FLIGHT * LANE_BATCHES) * PER_BATCH,
  };
}
