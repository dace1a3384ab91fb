// What a node may post receipts for, and how fast: one key must not be able to starve the notaries.
import { receiptTimeRefusal } from "../../domain/notary/admission.ts";
import { reject } from "../../domain/result.ts";

/** What the ClusterDO sees of each receipt, in batch order. */
export interface ReceiptRef {
  app: string;
  container: string;
  ts: string;
}

/** What a node may sign receipts for: its replicas (current and recent, with their workload) and the apps it replays. */
export interface NodeScope {
  replicas: ReadonlyMap<string, string>;
  replayApps: ReadonlySet<string>;
}

/** Replay containers (node-agent/daemon/replay.ts) rerun one of the node's own receipts. */
const REPLAY_CONTAINER = /^replay-/;

/**
 * A batch is in scope when every receipt's time is within the notary's window and it names a
 * workload the node runs or ran (`app`) and a container of such a replica (`<replica>` or
 * `<replica>.<n>`, as agents name them), or a replay container of an app the node ran or was asked to replay.
 * Refuses the whole batch at the first receipt outside it, naming its field.
 */
export function checkReceiptScope(refs: readonly ReceiptRef[], scope: NodeScope, now: number): void {
  const apps = new Set([...scope.replicas.values(), ...scope.replayApps]);
  refs.forEach((r, i) => {
    const late = receiptTimeRefusal(r.ts, now);
    if (late) reject(422, `receipt ${i}: ts ${late}`, { field: `receipts[${i}].ts`, index: i });
    if (!apps.has(r.app)) reject(422, `receipt ${i}: app ${r.app} has no replica on this node`, { field: `receipts[${i}].app`, index: i });
    if (REPLAY_CONTAINER.test(r.container)) return;
    // The control plane names a replica's container after the replica; agents add `.<n>` per run.
    const dot = r.container.lastIndexOf(".");
    const replica = dot > 0 && /^\d+$/.test(r.container.slice(dot + 1)) ? r.container.slice(0, dot) : r.container;
    if (scope.replicas.get(replica) !== r.app) {
      reject(422, `receipt ${i}: container ${r.container} is not one of this node's replicas of ${r.app}`, { field: `receipts[${i}].container`, index: i });
    }
  });
}

/**
 * Receipts per node: a bucket of BURST that refills at RATE a second. Kept in memory: a DO restart
 * refills it, which only ever errs toward the node. The agent sends batches of 100 and retries a
 * 429 after Retry-After.
 */
export const RECEIPT_BURST = 2000;
export const RECEIPT_RATE = 100;

export class ReceiptRate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes `n` tokens for `node`, or refuses with 429 and the seconds to wait (`retry_after_s`). */
  take(node: string, n: number, now: number): void {
    const b = this.buckets.get(node) ?? { tokens: RECEIPT_BURST, at: now };
    const tokens = Math.min(RECEIPT_BURST, b.tokens + ((now - b.at) / 1000) * RECEIPT_RATE);
    if (tokens < n) {
      const wait = Math.ceil((n - tokens) / RECEIPT_RATE);
      this.buckets.set(node, { tokens, at: now });
      reject(429, `this node sent more than ${RECEIPT_BURST} receipts at once or ${RECEIPT_RATE}/s; retry in ${wait} s`, { retry_after_s: wait });
    }
    this.buckets.set(node, { tokens: tokens - n, at: now });
  }

  forget(node: string): void {
    this.buckets.delete(node);
  }
}
