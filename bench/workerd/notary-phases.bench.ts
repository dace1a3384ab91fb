import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import type { NotaryDO } from "../../durable-objects/notary/notary-do.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { canonicalBytes, canonicalize } from "../../protocol/jcs.ts";
import { blake3 } from "../../protocol/hash.ts";
import { decodeAddress } from "../../protocol/address.ts";
import { hashReceipt, verifyReceipt, verifyReceiptEntry, signingInput, textToSig, DOMAINS } from "../../protocol/signed.ts";
import { planAdmission } from "../../domain/notary/admission.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { receiptChain } from "../../test/worker/helpers.ts";
import { report } from "./stats.ts";
import { verifyThenAdmit } from "../../workers/lib/notary-admit.ts";
import { unwrap } from "../../workers/lib/stubs.ts";

/* Where a NotaryDO ingest's time goes, phase by phase, each phase timed over all batches at once
 * (workerd's clock has 1 ms resolution). Inside the DO, on the same receipts. */
it("NotaryDO ingest phases", async () => {
  const node = await signerFromSeed(generateSeed());
  const B = 40;
  const chains = await Promise.all(Array.from({ length: B }, (_, i) => receiptChain(node, "bench", "phases", `c-${i}`, 100)));
  const all = chains.flat();
  const N = all.length;
  const stub = env.NOTARY.get(env.NOTARY.idFromName("bench/phases"));
  await stub.stats({ max_receipts_per_block: 10_000, max_block_window_s: 3600 });
  await runInDurableObject(stub, async (inst: NotaryDO) => {
    const self = inst as unknown as { store: any; outbox: any; ctx: DurableObjectState; admitBatch: (l: object, r: StepReceipt[], i: number[], e: string[]) => any; flushSoon(): Promise<void> };
    await (inst as unknown as { ensureSchema(): Promise<void> }).ensureSchema(); // a NotaryDO migrates at its first write
    const us = (ms: number) => (ms * 1000) / N;
    let t = performance.now();
    for (const c of chains) structuredClone(c);
    report("phase.structured_clone_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const c of chains) JSON.parse(JSON.stringify(c));
    report("phase.json_roundtrip_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    const texts = all.map((r) => { const { hash: _h, sig: _s, ...b } = r; return canonicalize(b); });
    report("phase.jcs_us_per_receipt", us(performance.now() - t), "us");
    const bytes = all.map((r) => { const { hash: _h, sig: _s, ...b } = r; return canonicalBytes(b); });
    t = performance.now();
    for (const b of bytes) blake3(b);
    report("phase.blake3_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const r of all) hashReceipt(r);
    report("phase.hash_receipt_total_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const r of all) decodeAddress(r.node);
    report("phase.decode_address_us_per_receipt", us(performance.now() - t), "us");
    const key = await crypto.subtle.importKey("raw", node.publicKey, { name: "Ed25519" }, false, ["verify"]);
    const inputs = all.map((r) => [signingInput(DOMAINS.stepReceipt, r.hash), textToSig(r.sig)] as const);
    t = performance.now();
    for (let b = 0; b < B; b++) await Promise.all(inputs.slice(b * 100, b * 100 + 100).map(([m, s]) => crypto.subtle.verify("Ed25519", key, s, m)));
    report("phase.subtle_verify_concurrent100_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const [m, s] of inputs) await crypto.subtle.verify("Ed25519", key, s, m);
    report("phase.subtle_verify_sequential_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const c of chains) await Promise.all(c.map((r) => verifyReceipt(r)));
    report("phase.verifyReceipt_concurrent100_us_per_receipt", us(performance.now() - t), "us");
    // What the notary runs: the same check, also giving each receipt's JCS (its stored body).
    t = performance.now();
    for (const c of chains) await Promise.all(c.map((r) => verifyReceiptEntry(r)));
    report("phase.verifyReceiptEntry_concurrent100_us_per_receipt", us(performance.now() - t), "us");
    // SQLite: plan + inserts + outbox in the transaction, no flush.
    const limits = { max_receipts_per_block: 10_000, max_block_window_s: 3600 };
    t = performance.now();
    for (const c of chains) {
      self.ctx.storage.transactionSync(() => planAdmission(c, c.map((_, i) => i), self.store.lookupBatch(c)));
    }
    report("phase.plan_lookups_us_per_receipt", us(performance.now() - t), "us");
    // The texts come from the Worker's verification (verifyThenAdmit), as in admitVerified.
    const entries = chains.map((c) => c.map((r) => canonicalize(r)));
    t = performance.now();
    for (const [k, c] of chains.entries()) {
      const r = self.admitBatch(limits, c, c.map((_, i) => i), entries[k]);
      if (!r.ok) throw new Error(r.problem.detail);
    }
    report("phase.admit_txn_sqlite_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    await self.outbox.flush();
    report("phase.d1_flush_us_per_receipt", us(performance.now() - t), "us");
    // The whole ingest in one isolate (no RPC): the Worker's verification (verifyThenAdmit's
    // first half) then the DO's admitVerified, one batch after another, on fresh chains; beside
    // it the bare verify of the same receipts, so the RPC's share is the bench's ingest figure
    // minus this one.
    const fresh = await Promise.all(Array.from({ length: B }, (_, i) => receiptChain(node, "bench", "phases", `d-${i}`, 100)));
    const freshTexts = fresh.map((c) => c.map((r) => canonicalize(r)));
    // What crosses admitVerified's RPC: the JCS texts (cloned, then parsed in the DO) against
    // the receipt objects (cloned); the DO needs the texts anyway, as the bodies it stores.
    t = performance.now();
    for (const c of freshTexts) structuredClone(c);
    report("phase.structured_clone_entries_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const c of freshTexts) c.map((e) => JSON.parse(e) as unknown);
    report("phase.json_parse_entries_us_per_receipt", us(performance.now() - t), "us");
    t = performance.now();
    for (const c of fresh) {
      const checks = await Promise.all(c.map((r) => verifyReceiptEntry(r)));
      const r = await inst.admitVerified(limits, checks.map((x) => (x.ok ? x.entry : "")));
      if (!r.ok) throw new Error(r.problem.detail);
    }
    const direct = performance.now() - t;
    t = performance.now();
    for (const [m, s] of inputs) await crypto.subtle.verify("Ed25519", key, s, m);
    report("phase.submit_in_do_us_per_receipt", us(direct), "us");
    report("phase.submit_in_do_over_bare_verify", (performance.now() - t) / direct, "ratio");
    void texts;
  });
});

it("NotaryDO seal phases", async () => {
  const node = await signerFromSeed(generateSeed());
  const stub = env.NOTARY.get(env.NOTARY.idFromName("bench/sealphases"));
  const big = { max_receipts_per_block: 10_000, max_block_window_s: 3600 };
  for (let i = 0; i < 40; i++) await unwrap(verifyThenAdmit(env.NOTARY, "bench", "sealphases", big, await receiptChain(node, "bench", "sealphases", `t-${i}`, 100)));
  await runInDurableObject(stub, async (inst: NotaryDO) => {
    const self = inst as unknown as { store: any; outbox: any; ctx: DurableObjectState; sealOne(): unknown; identity(): any; env: Env; schedule: any };
    const { buildBlock } = await import("../../durable-objects/notary/seal.ts");
    const { syncSigner } = await import("../../durable-objects/shared/sync-signer.ts");
    const { merkleRoot } = await import("../../protocol/merkle.ts");
    const { textToHash } = await import("../../protocol/hash.ts");
    const signer = syncSigner(self.env.NOTARY_KEY, "NOTARY_KEY");
    const R = 40;
    let t = performance.now();
    let pending: any[] = [];
    for (let i = 0; i < R; i++) pending = self.store.pending(100);
    report("seal_phase.pending_query_ms", (performance.now() - t) / R, "ms");
    // The rows' stored JSON (the seal reads only their leaf hashes, taken at admission).
    const bodies: string[] = self.store.bodiesBetween(pending[0].seq, pending.at(-1).seq);
    t = performance.now();
    for (let i = 0; i < R; i++) merkleRoot(pending.map((p: any) => textToHash(p.hash)));
    report("seal_phase.merkle_ms", (performance.now() - t) / R, "ms");
    t = performance.now();
    for (let i = 0; i < R; i++) signer.sign(new Uint8Array(52));
    report("seal_phase.sign_ms", (performance.now() - t) / R, "ms");
    t = performance.now();
    for (let i = 0; i < R; i++) buildBlock("bench", "sealphases", 1, undefined, pending, signer);
    report("seal_phase.build_block_ms", (performance.now() - t) / R, "ms");
    t = performance.now();
    for (let i = 0; i < R; i++) { self.store.height(); self.store.blockHash(0); self.store.limits(); self.identity(); }
    report("seal_phase.small_reads_ms", (performance.now() - t) / R, "ms");
    t = performance.now();
    for (let i = 0; i < R; i++) self.ctx.storage.transactionSync(() => { self.store.oldestPendingAt(); });
    report("seal_phase.oldest_pending_ms", (performance.now() - t) / R, "ms");
    t = performance.now();
    for (let i = 0; i < R; i++) self.ctx.storage.transactionSync(() => { self.schedule.at("x", Date.now() + 100000); self.schedule.done("x"); });
    report("seal_phase.schedule_at_done_ms", (performance.now() - t) / R, "ms");
    t = performance.now();
    for (let i = 0; i < R; i++) self.ctx.storage.transactionSync(() => {});
    report("seal_phase.empty_txn_ms", (performance.now() - t) / R, "ms");
    // The C2SP log's share of a seal: leaf hashes (JCS + SHA-256) and the stored hashes, then the
    // signed checkpoint; rolled back, so every round appends the same 100 entries.
    const { TlogStore } = await import("../../durable-objects/shared/tlog-store.ts");
    const { entryBytes } = await import("../../durable-objects/shared/tlog-store.ts");
    const { tlogLeafHash } = await import("../../protocol/c2sp/tlog.ts");
    const tlog = new TlogStore(self.ctx.storage.sql, () => []);
    t = performance.now();
    for (let i = 0; i < R; i++) for (const b of bodies) tlogLeafHash(entryBytes(b));
    report("seal_phase.tlog_leaf_hashes_ms", (performance.now() - t) / R, "ms");
    // What the seal does now: bodies stored as their JCS are the entries as they are.
    t = performance.now();
    for (let i = 0; i < R; i++) for (const p of pending) tlogLeafHash(p.entry ? new Uint8Array(p.entry) : entryBytes(p.body));
    report("seal_phase.tlog_leaf_hashes_from_stored_jcs_ms", (performance.now() - t) / R, "ms");
    // Its parts, interleaved: JSON.parse + JCS of the stored body, then SHA-256 natively (what the
    // DO installs) and with noble (the fallback).
    const { setTlogSha256 } = await import("../../protocol/c2sp/tlog.ts");
    const { createHash } = await import("node:crypto");
    const native = (...parts: Uint8Array[]) => {
      const h = createHash("sha256");
      for (const x of parts) h.update(x);
      return new Uint8Array(h.digest());
    };
    const leafBytes = bodies.map((b) => entryBytes(b));
    let entryMs = 0, nativeMs = 0, nobleMs = 0;
    for (let i = 0; i < R; i++) {
      t = performance.now();
      for (const b of bodies) entryBytes(b);
      entryMs += performance.now() - t;
      setTlogSha256(native);
      t = performance.now();
      for (const b of leafBytes) tlogLeafHash(b);
      nativeMs += performance.now() - t;
      setTlogSha256(null);
      t = performance.now();
      for (const b of leafBytes) tlogLeafHash(b);
      nobleMs += performance.now() - t;
    }
    setTlogSha256(native);
    report("seal_phase.tlog_entry_jcs_ms", entryMs / R, "ms");
    report("seal_phase.tlog_sha256_native_ms", nativeMs / R, "ms");
    report("seal_phase.tlog_sha256_noble_ms", nobleMs / R, "ms");
    const rollback = new Error("rollback");
    const timedRollback = (fn: () => void) => {
      let ms = 0;
      for (let i = 0; i < R; i++) {
        try {
          self.ctx.storage.transactionSync(() => {
            const s0 = performance.now();
            fn();
            ms += performance.now() - s0;
            throw rollback;
          });
        } catch (e) {
          if (e !== rollback) throw e;
        }
      }
      return ms / R;
    };
    // From the stored JSON (JSON.parse + JCS of each entry, then the log): as older rows are appended.
    report("seal_phase.tlog_append_ms", timedRollback(() => tlog.append(bodies)), "ms");
    report("seal_phase.tlog_append_checkpoint_ms", timedRollback(() => { tlog.append(bodies); tlog.checkpoint("bench/origin", signer); }), "ms");
    // What the seal runs: the entries as stored (their JCS), the log's hashes, the checkpoint.
    const entries = () => bodies.map((b) => new TextEncoder().encode(b));
    report("seal_phase.tlog_append_leaves_ms", timedRollback(() => tlog.appendLeaves(entries())), "ms");
    report("seal_phase.tlog_append_stored_leaf_hashes_ms", timedRollback(() => tlog.appendLeafHashes(pending.map((p: any) => new Uint8Array(p.leaf)))), "ms");
    report("seal_phase.tlog_append_leaves_checkpoint_ms", timedRollback(() => { const tree = tlog.appendLeaves(entries()); tlog.checkpoint("bench/origin", signer, tree); }), "ms");
    report("seal_phase.seal_one_ms", timedRollback(() => { self.store.setLimits({ max_receipts_per_block: 100, max_block_window_s: 3600 }); self.sealOne(); }), "ms");
  });
});
