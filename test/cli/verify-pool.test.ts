// `enc ledger verify` checks receipts in worker threads (cli/lib/verify-pool.ts, the built
// dist/enc-verify-worker.mjs): the report must be exactly the one a single-threaded pass gives,
// problems and their order included.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { verifierPool } from "../../cli/lib/verify-pool.ts";
import { generateSeed } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { verifyAppLedger, type AppLedgerSource } from "../../protocol/ledger-verify.ts";
import { merkleRootText } from "../../protocol/merkle.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { DOMAINS, hashReceipt, logBlockHash, signHashSync, signLogBlockSync } from "../../protocol/signed.ts";
import { syncSignerFromSeed } from "../../protocol/sync-signer.ts";

const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/enc-verify-worker.mjs");

function ledger(blocks: number, perBlock: number) {
  const node = syncSignerFromSeed(generateSeed());
  const notary = syncSignerFromSeed(generateSeed());
  const out: { block: LogBlock; receipts: StepReceipt[] }[] = [];
  let prevReceipt = GENESIS;
  let prevBlock = GENESIS;
  for (let h = 1; h <= blocks; h++) {
    const receipts: StepReceipt[] = [];
    for (let i = 0; i < perBlock; i++) {
      const body = {
        v: 1, cluster: "c", app: "a", node: node.address, container: "ctr", op: prevReceipt === GENESIS ? "create" : "usage",
        ts: new Date(Date.UTC(2026, 0, 1, 0, 0, h * 100 + i)).toISOString(), resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: prevReceipt,
      };
      const hash = hashReceipt(body);
      receipts.push({ ...body, hash, sig: signHashSync(DOMAINS.stepReceipt, hash, node) } as StepReceipt);
      prevReceipt = hash;
    }
    const block = signLogBlockSync(
      { v: 1, cluster: "c", app: "a", height: h, prev: prevBlock, merkle_root: merkleRootText(receipts.map((r) => r.hash)), count: perBlock, range: { from_ts: receipts[0].ts, to_ts: receipts[perBlock - 1].ts } },
      notary,
    );
    prevBlock = logBlockHash(block);
    out.push({ block, receipts });
  }
  return { notary: notary.address, out };
}

const source = (l: ReturnType<typeof ledger>): AppLedgerSource => ({
  blocks: async (from, limit) => structuredClone(l.out.slice(from - 1, from - 1 + limit).map((b) => b.block)),
  blockReceipts: async (h) => structuredClone(l.out[h - 1].receipts),
});

describe("ledger verify over worker threads", () => {
  it("gives the single-threaded report, problems in the same order, for an intact and a tampered ledger", async () => {
    const l = ledger(30, 20);
    const pool = verifierPool(2, WORKER);
    expect(pool).not.toBeNull();
    try {
      const clean = await verifyAppLedger(source(l), l.notary, undefined, undefined, pool!.verify);
      expect(clean).toEqual({ blocks: 30, receipts: 600, problems: [], mldsa: { checked: 0, unchecked: 0 } });
      // A body edited after signing, a signature of another receipt, in two different blocks.
      l.out[3].receipts[5] = { ...l.out[3].receipts[5], resource: { cpu_ms: 999, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 } };
      l.out[17].receipts[2] = { ...l.out[17].receipts[2], sig: l.out[17].receipts[3].sig };
      const here = await verifyAppLedger(source(l), l.notary);
      const pooled = await verifyAppLedger(source(l), l.notary, undefined, undefined, pool!.verify);
      expect(pooled).toEqual(here);
      expect(pooled.problems.map((p) => p.where)).toEqual([
        expect.stringMatching(/^block 4 receipt 5 /),
        expect.stringMatching(/^block 18 receipt 2 /),
      ]);
    } finally {
      await pool?.close();
    }
  });
});
