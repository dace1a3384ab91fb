import { GENESIS, isHashText } from "./hash.ts";
import { comparePinned, verifyChainHead, type ChainHead, type ChainKind } from "./head.ts";
import { merkleRootText } from "./merkle.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "./schemas.ts";
import { logBlockHash, verifyAuditEntry, verifyAuditEntryMldsa, verifyLogBlock, verifyLogBlockMldsa, verifyReceipt, type VerifyResult } from "./signed.ts";
import { canonicalize } from "./jcs.ts";
import { toHex, utf8 } from "./bytes.ts";
import { TlogAccumulator, tlogLeafHash } from "./c2sp/tlog.ts";
import { verifyLogHistory, type LogReport, type LogSource } from "./tlog-verify.ts";

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
  /**
   * The app's C2SP log (PROTOCOL.md §6): when given, the history must match its newest signed
   * checkpoint (fetched first), every receipt is proved from its tiles, and `since` (a checkpoint
   * seen before) must be extended, not rolled back or forked.
   */
  log?: { source: LogSource; cluster: string; app: string; since?: string };
}

export interface VerifyReport {
  blocks: number;
  receipts: number;
  problems: LedgerProblem[];
  /** ML-DSA-65 co-signatures (PROTOCOL.md §15) checked, and those present but not checkable (no key). */
  mldsa: MldsaTally;
  /** The app log's checks, when `src.log` was given (null when its checkpoint did not verify). */
  log?: LogReport | null;
}

/**
 * ML-DSA-65 co-signatures (PROTOCOL.md §15). Every one present is checked against `publicKey`
 * (GET /v1/keys `notary_mldsa` / `control_plane_mldsa`). quantum_safe is never turned off, so
 * once an object carries one, every later object must; `requiredFrom` (a block height, from the
 * notary's `mldsa_from_height`) requires them from there on even if the first were stripped.
 */
export interface MldsaCheck {
  publicKey?: Uint8Array;
  requiredFrom?: number;
  /** The cluster says it is quantum-safe: an audit chain must turn it on in a co-signed entry. */
  quantumSafe?: boolean;
}

export interface MldsaTally {
  checked: number;
  unchecked: number;
}

/** "ed25519 + ml-dsa-65" when every object carried a co-signature that was checked. */
export function signaturesChecked(total: number, t: MldsaTally): string {
  if (total > 0 && t.checked === total) return "ed25519 + ml-dsa-65";
  if (t.checked === 0) return t.unchecked > 0 ? "ed25519 only (ML-DSA-65 co-signatures present but no published key to check them)" : "ed25519 only";
  return `ed25519 on all, ml-dsa-65 on ${t.checked} of ${total}`;
}

/** The per-object rule: a co-signature present must verify; one missing must not be required. */
function mldsaRule(
  has: boolean,
  at: number,
  v: VerifyResult | null,
  state: { first?: number },
  check: MldsaCheck,
  tally: MldsaTally,
  unit: string,
): string | null {
  if (has) {
    state.first ??= at;
    if (!v) {
      tally.unchecked++;
      return null;
    }
    tally.checked++;
    return v.ok ? null : v.reason;
  }
  if (state.first !== undefined) return `no ML-DSA-65 co-signature, but ${unit} ${state.first} before it has one (quantum_safe is never turned off)`;
  if (check.requiredFrom !== undefined && at >= check.requiredFrom) return `no ML-DSA-65 co-signature, but the notary co-signs every block from ${check.requiredFrom} on`;
  return null;
}

/**
 * The signed head the history must reach (fetched before the history, so links added after it
 * are ignored), and optionally one seen earlier that it must not roll back or rewrite. Without a
 * head a verifier cannot tell a complete history from a truncated one.
 */
export interface HeadCheck {
  head: unknown;
  pin?: ChainHead;
}

/** The head's signature, then the pin; returns the head to read up to, or null if it is not trustworthy. */
async function checkHead(check: HeadCheck, kind: ChainKind, cluster: string, app: string | undefined, signer: string, problems: LedgerProblem[]): Promise<ChainHead | null> {
  const v = await verifyChainHead(check.head, { kind, cluster, app, signer });
  if (!v.ok) {
    problems.push({ where: "signed head", problem: v.reason });
    return null;
  }
  const head = check.head as ChainHead;
  const moved = check.pin ? comparePinned(check.pin, head) : null;
  if (moved) problems.push({ where: "signed head", problem: moved });
  return head;
}

/** The history read must end exactly where the signed head says. */
function checkEnd(head: ChainHead, lastRead: number, lastHash: string, unit: "block" | "audit seq", problems: LedgerProblem[]): void {
  const who = unit === "block" ? `the notary's signed head is at height ${head.size}` : `the control plane's signed head is at seq ${head.size}`;
  if (lastRead < head.size) {
    const from = lastRead + 1;
    const where = unit === "block" ? (from === head.size ? `block ${from}` : `blocks ${from}–${head.size}`) : from === head.size ? `audit seq ${from}` : `audit seq ${from}–${head.size}`;
    const held = lastRead === 0 ? "holds none" : `ends at ${lastRead}`;
    problems.push({ where, problem: `missing: ${who} (${head.head_hash}), but the ledger ${held}` });
  } else if (lastHash !== head.head_hash) {
    problems.push({ where: `${unit} ${head.size}`, problem: `hashes to ${lastHash}, but ${who} with ${head.head_hash}` });
  }
}

/** A pinned link must still be in the history the verifier reads. */
function checkPinnedLink(pin: ChainHead | undefined, at: number, hash: string, unit: string, problems: LedgerProblem[]): void {
  if (pin && pin.size === at && pin.head_hash !== hash) {
    problems.push({ where: `${unit} ${at}`, problem: `rewrite: hashes to ${hash}, but ${pin.head_hash} was pinned at ${pin.issued_at}` });
  }
}

/**
 * Checks receipts' hashes and node signatures (verifyReceipt), answering in input order. The CLI
 * passes one that spreads the work over worker threads; the default runs them concurrently here.
 */
export type ReceiptBatchVerifier = (receipts: readonly StepReceipt[]) => Promise<VerifyResult[]>;

export const verifyReceiptsHere: ReceiptBatchVerifier = (rs) => Promise.all(rs.map((r) => verifyReceipt(r)));

/** Blocks whose receipts are fetched and verified ahead of the in-order checks. */
const LOOKAHEAD = 16;

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
  headCheck?: HeadCheck & { cluster: string; app: string },
  verifyReceipts: ReceiptBatchVerifier = verifyReceiptsHere,
  mldsa: MldsaCheck = {},
): Promise<VerifyReport> {
  const problems: LedgerProblem[] = [];
  const tally: MldsaTally = { checked: 0, unchecked: 0 };
  const pq: { first?: number } = {};
  // The checkpoint before the head and the history: both then reach at least as far as it.
  const note = src.log ? await src.log.source.checkpoint().catch((e: unknown) => (e as Error)) : undefined;
  const head = headCheck ? await checkHead(headCheck, "log", headCheck.cluster, headCheck.app, notary, problems) : null;
  const end = head ? head.size : Infinity;
  const entries: Uint8Array[] = [];
  const acc = new TlogAccumulator();
  const seen = new Map<string, string>(); // receipt hash -> chain key
  const successor = new Set<string>(); // chainKey|prev
  let expectedHeight = 1;
  let prevHash = GENESIS;
  let receipts = 0;
  let blocks = 0;
  let lastHeight = 0;
  for (let from = 1; from <= end; ) {
    const page = (await src.blocks(from, 100)).filter((b) => !(b.height > end));
    if (page.length === 0) break;
    // The expensive, independent work (fetching each block's receipts, every signature) runs
    // ahead, a few blocks at a time; the checks below still run in block order and name
    // problems in exactly the order a one-by-one pass would.
    const ahead: Promise<{ leaves: StepReceipt[]; checked: VerifyResult[]; block: VerifyResult; pq: VerifyResult | null }>[] = [];
    const start = (k: number) => {
      const b = page[k];
      const leaves = src.blockReceipts(b.height);
      const pqv = b.sig_notary_mldsa !== undefined && mldsa.publicKey ? verifyLogBlockMldsa(b, mldsa.publicKey) : Promise.resolve(null);
      ahead[k] = Promise.all([leaves, leaves.then((ls) => verifyReceipts(ls)), verifyLogBlock(b, notary), pqv]).then(([l, c, v, q]) => ({ leaves: l, checked: c, block: v, pq: q }));
      // A rejection is read in order below; until then it must not count as unhandled.
      ahead[k].catch(() => {});
    };
    for (let k = 0; k < Math.min(LOOKAHEAD, page.length); k++) start(k);
    for (const [k, block] of page.entries()) {
      if (k + LOOKAHEAD < page.length) start(k + LOOKAHEAD);
      const got = await ahead[k];
      blocks++;
      const where = `block ${block.height}`;
      const v = got.block;
      if (!v.ok) problems.push({ where, problem: v.reason });
      const pqProblem = mldsaRule(block.sig_notary_mldsa !== undefined, block.height, got.pq, pq, mldsa, tally, "block");
      if (pqProblem) problems.push({ where, problem: pqProblem });
      if (block.height !== expectedHeight) problems.push({ where, problem: `height ${block.height} where ${expectedHeight} was expected (gap or repeat)` });
      if (block.prev !== prevHash) problems.push({ where, problem: `prev is ${block.prev}, but the previous block hashes to ${prevHash}` });
      const leaves = got.leaves;
      if (leaves.length !== block.count) problems.push({ where, problem: `count says ${block.count}, ledger holds ${leaves.length} receipts` });
      const root = merkleRootText(leaves.map((r) => (isHashText(r.hash) ? r.hash : ZERO_HASH)));
      if (root !== block.merkle_root) problems.push({ where, problem: `merkle_root ${block.merkle_root} does not match the receipts (${root})` });
      for (const [i, r] of leaves.entries()) {
        receipts++;
        const rw = `${where} receipt ${i} (${r.hash})`;
        const rv = got.checked[i];
        if (!rv.ok) problems.push({ where: rw, problem: rv.reason });
        if (r.cluster !== block.cluster || r.app !== block.app) problems.push({ where: rw, problem: `belongs to ${r.cluster}/${r.app}` });
        const chain = `${r.node}|${r.container}`;
        if (r.prev_hash !== GENESIS && seen.get(r.prev_hash) !== chain) problems.push({ where: rw, problem: `unknown predecessor ${r.prev_hash}` });
        if (successor.has(`${chain}|${r.prev_hash}`)) problems.push({ where: rw, problem: `fork: a second receipt follows ${r.prev_hash}` });
        successor.add(`${chain}|${r.prev_hash}`);
        seen.set(r.hash, chain);
        if (r.ts < block.range.from_ts || r.ts > block.range.to_ts) problems.push({ where: rw, problem: `ts ${r.ts} outside the block's range` });
        if (src.log) {
          const entry = utf8(canonicalize(r));
          entries.push(entry);
          acc.push(tlogLeafHash(entry));
        }
      }
      // The block binds the app log as its seal left it: the receipts up to here, in order.
      if (src.log && block.tlog) {
        const root = "sha256:" + toHex(acc.root());
        if (block.tlog.size !== acc.size) problems.push({ where, problem: `tlog.size ${block.tlog.size}, but the ledger holds ${acc.size} receipts up to this block` });
        else if (block.tlog.root !== root) problems.push({ where, problem: `tlog.root ${block.tlog.root} does not match the receipts up to this block (${root})` });
      }
      prevHash = logBlockHash(block);
      checkPinnedLink(headCheck?.pin, block.height, prevHash, "block", problems);
      expectedHeight = block.height + 1;
      lastHeight = block.height;
      onProgress?.(blocks, null);
    }
    from = page[page.length - 1].height + 1;
  }
  if (head) checkEnd(head, lastHeight, prevHash, "block", problems);
  if (!src.log) return { blocks, receipts, problems, mldsa: tally };
  const { source, cluster, app, since } = src.log;
  if (note instanceof Error) {
    problems.push({ where: "log checkpoint", problem: `could not be read: ${note.message}` });
    return { blocks, receipts, problems, mldsa: tally, log: null };
  }
  const log = await verifyLogHistory(source, notary, `/${cluster}/${app}`, entries, problems, { since, note });
  return { blocks, receipts, problems, mldsa: tally, log };
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

/**
 * A cluster's whole audit history against its signed head: the chain rules of verifyAuditChain,
 * entries up to the head's seq only (later ones were appended after it), and an end that is
 * exactly the head's, so deleted trailing entries are named.
 */
export async function verifyAuditHistory(
  entries: AuditEntry[],
  controlPlane: string,
  check: HeadCheck & { cluster: string; log?: { source: LogSource; since?: string; note?: string } },
  mldsa: MldsaCheck = {},
): Promise<{ checked: number; last_seq: number; problems: LedgerProblem[]; mldsa: MldsaTally; log?: LogReport | null }> {
  const problems: LedgerProblem[] = [];
  const head = await checkHead(check, "audit", check.cluster, undefined, controlPlane, problems);
  const upTo = head ? entries.filter((e) => !(e.seq > head.size)) : entries;
  problems.push(...(await verifyAuditChain(upTo, controlPlane)));
  const pq = await verifyAuditMldsa(upTo, mldsa);
  problems.push(...pq.problems);
  for (const e of upTo) checkPinnedLink(check.pin, e.seq, e.hash, "audit seq", problems);
  const last = upTo.at(-1);
  if (head) checkEnd(head, last?.seq ?? 0, last?.hash ?? GENESIS, "audit seq", problems);
  if (!check.log) return { checked: upTo.length, last_seq: last?.seq ?? 0, problems, mldsa: pq.tally };
  // The audit log (PROTOCOL.md §6): entry i is JCS of the entry with seq i + 1. The caller read
  // `note` before the entries, so they reach at least its size.
  const logEntries = entries.map((e) => utf8(canonicalize(e)));
  const log = await verifyLogHistory(check.log.source, controlPlane, `/${check.cluster}/audit`, logEntries, problems, { since: check.log.since, note: check.log.note });
  return { checked: upTo.length, last_seq: last?.seq ?? 0, problems, mldsa: pq.tally, log };
}

/** An audit entry that turns quantum_safe on (ClusterCreated with it, or a config change raising it). */
function turnsQuantumSafeOn(e: AuditEntry): boolean {
  const d = e.details as { config?: { quantum_safe?: unknown }; quantum_safe?: unknown };
  return d?.config?.quantum_safe === true || d?.quantum_safe === true;
}

/**
 * The audit chain's ML-DSA-65 co-signatures (PROTOCOL.md §15). The entry that turns quantum_safe
 * on is itself co-signed (the control plane applies the setting before appending it), so the
 * chain carries its own boundary: the first co-signed entry must be that one, and every entry
 * from it on must be co-signed. With `quantumSafe`, a chain with no co-signed entry fails too.
 */
export async function verifyAuditMldsa(entries: readonly AuditEntry[], mldsa: MldsaCheck): Promise<{ problems: LedgerProblem[]; tally: MldsaTally }> {
  const problems: LedgerProblem[] = [];
  const tally: MldsaTally = { checked: 0, unchecked: 0 };
  const state: { first?: number } = {};
  const results = await Promise.all(entries.map((e) => (e.sig_mldsa !== undefined && mldsa.publicKey ? verifyAuditEntryMldsa(e, mldsa.publicKey) : null)));
  for (const [i, e] of entries.entries()) {
    const where = `audit seq ${e.seq}`;
    const has = e.sig_mldsa !== undefined;
    if (has && state.first === undefined && !turnsQuantumSafeOn(e)) {
      problems.push({ where, problem: "first ML-DSA-65 co-signed entry, but not the one that turned quantum_safe on (earlier co-signatures were removed)" });
    }
    const p = mldsaRule(has, e.seq, results[i], state, {}, tally, "audit seq");
    if (p) problems.push({ where, problem: p });
  }
  if (mldsa.quantumSafe && state.first === undefined && entries.length > 0) {
    problems.push({ where: "audit chain", problem: "the cluster is quantum_safe, but no entry carries an ML-DSA-65 co-signature" });
  }
  return { problems, tally };
}
