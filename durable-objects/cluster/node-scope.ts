// How fast a node may post receipts: one key must not be able to starve the notaries.
import { reject } from "../../domain/result.ts";

/** What the ClusterDO sees of each receipt, in batch order. */
export interface ReceiptRef {
  app: string;
  container: string;
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
