import { GENESIS, isHashText } from "./hash.ts";
import { merkleRootText } from "./merkle.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "./schemas.ts";
import { logBlockHash, verifyAuditEntry, verifyLogBlock, verifyReceipt } from "./signed.ts";

const ZERO_HASH = "blake3:" + "0".repeat(64);

export interface LedgerProblem {
  where: string; // "block 3", "block 3 receipt 7", "audit seq 12"
  problem: string;
}

/** Where the verifier reads from; the CLI backs it with the public API. */
export interface AppLedgerSource {
  blocks(fromHeight: number, limit: number): Promise<LogBlock[]>;
  /** The block's receipts, full bodies, in leaf order. */
  blockReceipts(height: number): Promise<StepReceipt[]>;
}

export interface VerifyReport {
  blocks: number;
  receipts: number;
  problems: LedgerProblem[];
}

/**
 * Verifies an app's whole ledger with public keys only: every LogBlock signature (against the
 * published notary key), consecutive heights, the `prev` chain, each Merkle root and count,
 * every receipt's hash and node signature, and every container's receipt chain (no unknown
 * predecessor, no fork). Every problem is named; nothing stops at the first.
 */
export async function verifyAppLedger(
  src: AppLedgerSource,
  notary: string,
  onProgress?: (done: number, total: number | null) => void,
): Promise<VerifyReport> {
  const problems: LedgerProblem[] = [];
  const seen = new Map<string, string>(); // receipt hash -> chain key
  const successor = new Set<string>(); // chainKey|prev
  let expectedHeight = 1;
  let prevHash = GENESIS;
  let receipts = 0;
  let blocks = 0;
  for (let from = 1; ; ) {
    const page = await src.blocks(from, 100);
    if (page.length === 0) break;
    for (const block of page) {
      blocks++;
      const where = `block ${block.height}`;
      const v = await verifyLogBlock(block, notary);
      if (!v.ok) problems.push({ where, problem: v.reason });
      if (block.height !== expectedHeight) problems.push({ where, problem: `height ${block.height} where ${expectedHeight} was expected (gap or repeat)` });
      if (block.prev !== prevHash) problems.push({ where, problem: `prev is ${block.prev}, but the previous block hashes to ${prevHash}` });
      const leaves = await src.blockReceipts(block.height);
      if (leaves.length !== block.count) problems.push({ where, problem: `count says ${block.count}, ledger holds ${leaves.length} receipts` });
      const root = merkleRootText(leaves.map((r) => (isHashText(r.hash) ? r.hash : ZERO_HASH)));
      if (root !== block.merkle_root) problems.push({ where, problem: `merkle_root ${block.merkle_root} does not match the receipts (${root})` });
      for (const [i, r] of leaves.entries()) {
        receipts++;
        const rw = `${where} receipt ${i} (${r.hash})`;
        const rv = await verifyReceipt(r);
        if (!rv.ok) problems.push({ where: rw, problem: rv.reason });
        if (r.cluster !== block.cluster || r.app !== block.app) problems.push({ where: rw, problem: `belongs to ${r.cluster}/${r.app}` });
        const chain = `${r.node}|${r.container}`;
        if (r.prev_hash !== GENESIS && seen.get(r.prev_hash) !== chain) problems.push({ where: rw, problem: `unknown predecessor ${r.prev_hash}` });
        if (successor.has(`${chain}|${r.prev_hash}`)) problems.push({ where: rw, problem: `fork: a second receipt follows ${r.prev_hash}` });
        successor.add(`${chain}|${r.prev_hash}`);
        seen.set(r.hash, chain);
        if (r.ts < block.range.from_ts || r.ts > block.range.to_ts) problems.push({ where: rw, problem: `ts ${r.ts} outside the block's range` });
      }
      prevHash = logBlockHash(block);
      expectedHeight = block.height + 1;
      onProgress?.(blocks, null);
    }
    from = page[page.length - 1].height + 1;
  }
  return { blocks, receipts, problems };
}

/** Verifies a cluster's audit chain: signatures by the control-plane key, seq, prev_hash. */
export async function verifyAuditChain(entries: AuditEntry[], controlPlane: string, startSeq = 1, startPrev = GENESIS): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  let seq = startSeq;
  let prev = startPrev;
  for (const e of entries) {
    const where = `audit seq ${e.seq}`;
    const v = await verifyAuditEntry(e, controlPlane);
    if (!v.ok) problems.push({ where, problem: v.reason });
    if (e.seq !== seq) problems.push({ where, problem: `seq ${e.seq} where ${seq} was expected` });
    if (e.prev_hash !== prev) problems.push({ where, problem: `prev_hash ${e.prev_hash} does not link to ${prev}` });
    prev = e.hash;
    seq = e.seq + 1;
  }
  return problems;
}
