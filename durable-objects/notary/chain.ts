import { GENESIS } from "../../protocol/hash.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { reject } from "../../domain/result.ts";
import { one } from "../shared/rows.ts";

/**
 * Chain rules of PROTOCOL.md §2: a receipt's predecessor is genesis or a receipt already
 * accepted for the same container on the same node, and no predecessor has two successors.
 * Returns false for an exact duplicate (already accepted), throws a 422 naming `index` otherwise.
 */
export function admit(sql: SqlStorage, r: StepReceipt, index: number): boolean {
  if (one(sql, "SELECT 1 AS x FROM receipts WHERE hash = ?", r.hash)) return false;
  const field = `receipts[${index}].prev_hash`;
  if (r.prev_hash !== GENESIS) {
    const pred = one(sql, "SELECT 1 AS x FROM receipts WHERE hash = ? AND node = ? AND container = ?", r.prev_hash, r.node, r.container);
    if (!pred) reject(422, `receipt ${index}: unknown predecessor ${r.prev_hash} for container ${r.container}`, { field, index });
  }
  const sibling = one<{ hash: string }>(
    sql,
    "SELECT hash FROM receipts WHERE node = ? AND container = ? AND prev_hash = ?",
    r.node,
    r.container,
    r.prev_hash,
  );
  if (sibling) reject(422, `receipt ${index}: fork: ${sibling.hash} already follows ${r.prev_hash} in container ${r.container}`, { field, index });
  return true;
}
