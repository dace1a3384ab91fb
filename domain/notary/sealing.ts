import type { NotaryLimits } from "../../protocol/api/cluster.ts";
import type { NotaryStats } from "../../protocol/api/notary.ts";

/** How many receipts a block holds at most, and how long the oldest pending receipt may wait. */
export type { NotaryLimits, NotaryStats };

export const DEFAULT_LIMITS: NotaryLimits = { max_receipts_per_block: 100, max_block_window_s: 300 };

/** What a NotaryDO seals by: the cluster's limits, and whether its blocks are co-signed with ML-DSA-65 (PROTOCOL.md §15). */
export type SealPolicy = NotaryLimits & { quantum_safe?: boolean };

export const sealPolicy = (config: { notary: NotaryLimits; quantum_safe?: boolean }): SealPolicy => ({ ...config.notary, quantum_safe: config.quantum_safe === true });

/** Full blocks to seal now: sealing by count never leaves a full block pending. */
export const fullBlocks = (pending: number, limits: NotaryLimits): number =>
  limits.max_receipts_per_block > 0 ? Math.floor(pending / limits.max_receipts_per_block) : 0;

/** When the window task must run: when the oldest pending receipt's window closes, or never. */
export const windowDue = (oldestPendingAt: number | null | undefined, limits: NotaryLimits): number | null =>
  oldestPendingAt == null ? null : oldestPendingAt + limits.max_block_window_s * 1000;

export const stats = (pending: number, height: number, limits: NotaryLimits, mldsaFrom?: number | null): NotaryStats => ({
  pending_receipts: pending,
  current_height: height,
  max_receipts_per_block: limits.max_receipts_per_block,
  max_block_window_s: limits.max_block_window_s,
  ...(mldsaFrom != null ? { mldsa_from_height: mldsaFrom } : {}),
});
