import { GENESIS } from "../../protocol/hash.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import type { NotaryIdentity } from "./identity.ts";

/** Why a batch is refused: status, detail, and the field/index the problem names. */
export interface Refusal {
  status: 422;
  detail: string;
  field: string;
  index: number;
}

/** What the notary already holds, as far as the chain rules need it. */
export interface ChainLookup {
  /** The node and container of an accepted receipt. */
  find(hash: string): { node: string; container: string } | undefined;
  /** The receipt that already follows `prev` in that node's container, if any. */
  successor(node: string, container: string, prev: string): string | undefined;
}

/**
 * The window around the notary's clock a receipt's `ts` must fall in: an agent's clock may run a
 * little ahead, and a cut-off agent delivers its spool late, but not weeks late (PROTOCOL.md §2).
 */
export const RECEIPT_TS_FUTURE_MS = 10 * 60_000;
export const RECEIPT_TS_PAST_MS = 7 * 86_400_000;

/** Why `ts` is outside the window around `now` (ms), or null when it is inside. */
export function receiptTimeRefusal(ts: string, now: number): string | null {
  const t = Date.parse(ts);
  if (!Number.isFinite(t)) return `${ts} is not a time`;
  if (t > now + RECEIPT_TS_FUTURE_MS) return `${ts} is more than ${RECEIPT_TS_FUTURE_MS / 60_000} minutes ahead of the notary's clock`;
  if (t < now - RECEIPT_TS_PAST_MS) return `${ts} is more than ${RECEIPT_TS_PAST_MS / 86_400_000} days behind the notary's clock`;
  return null;
}

export type AdmissionPlan = { ok: true; admit: StepReceipt[]; duplicates: number } | ({ ok: false } & Refusal);

/**
 * The checks that need no store: each receipt's signature check (done before, in parallel) and
 * that it belongs to this notary's app and its time to the window around `now` (ms). `indexes`
 * are the positions in the client's request.
 */
export function checkBatch(
  owner: NotaryIdentity,
  receipts: readonly StepReceipt[],
  signatures: readonly ({ ok: true } | { ok: false; reason: string })[],
  indexes: readonly number[],
  now: number,
): Refusal | null {
  for (let i = 0; i < receipts.length; i++) {
    const c = signatures[i];
    const at = indexes[i];
    if (!c.ok) return { status: 422, detail: `receipt ${at}: ${c.reason}`, field: `receipts[${at}]`, index: at };
    const foreign = foreignRefusal(owner, receipts[i], at);
    if (foreign) return foreign;
    const late = receiptTimeRefusal(receipts[i].ts, now);
    if (late) return { status: 422, detail: `receipt ${at}: ts ${late}`, field: `receipts[${at}].ts`, index: at };
  }
  return null;
}

/** What a NotaryDO answers for a batch it admitted. */
export type Admitted = { accepted: number; duplicates: number; sealed: number[] };

/** Why receipt `at` is not this notary's to keep (another cluster or app), or null. */
export function foreignRefusal(owner: NotaryIdentity, r: Pick<StepReceipt, "cluster" | "app">, at: number): Refusal | null {
  if (r.cluster === owner.cluster && r.app === owner.app) return null;
  return { status: 422, detail: `receipt ${at}: belongs to ${r.cluster}/${r.app}`, field: `receipts[${at}].app`, index: at };
}

const link = (node: string, container: string, prev: string) => `${node}\u0000${container}\u0000${prev}`;

/**
 * Chain rules of PROTOCOL.md §2 over a whole batch, in order: a receipt's predecessor is genesis
 * or a receipt already accepted (before, or earlier in this batch) for the same container on the
 * same node, and no predecessor has two successors. An exact duplicate is counted, not refused;
 * anything else refuses the whole batch, naming the first offending index.
 */
export function planAdmission(receipts: readonly StepReceipt[], indexes: readonly number[], held: ChainLookup): AdmissionPlan {
  const admitted = new Map<string, StepReceipt>();
  const followers = new Map<string, string>();
  const admit: StepReceipt[] = [];
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i];
    const index = indexes[i];
    if (admitted.has(r.hash) || held.find(r.hash)) continue;
    const field = `receipts[${index}].prev_hash`;
    if (r.prev_hash !== GENESIS) {
      const pred = admitted.get(r.prev_hash) ?? held.find(r.prev_hash);
      if (!pred || pred.node !== r.node || pred.container !== r.container) {
        return { ok: false, status: 422, detail: `receipt ${index}: unknown predecessor ${r.prev_hash} for container ${r.container}`, field, index };
      }
    }
    const sibling = followers.get(link(r.node, r.container, r.prev_hash)) ?? held.successor(r.node, r.container, r.prev_hash);
    if (sibling) {
      return { ok: false, status: 422, detail: `receipt ${index}: fork: ${sibling} already follows ${r.prev_hash} in container ${r.container}`, field, index };
    }
    admitted.set(r.hash, r);
    followers.set(link(r.node, r.container, r.prev_hash), r.hash);
    admit.push(r);
  }
  return { ok: true, admit, duplicates: receipts.length - admit.length };
}
