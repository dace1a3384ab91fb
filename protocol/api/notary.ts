import { z } from "zod";

/** GET …/apps/{app}/notary: the app's notary now, and the limits it seals by. */
export const NotaryStats = z.object({
  pending_receipts: z.number().int(),
  current_height: z.number().int(),
  max_receipts_per_block: z.number().int(),
  max_block_window_s: z.number().int(),
  /** The first block co-signed with ML-DSA-65 (PROTOCOL.md §15): every block from it on must be. Absent before one. */
  mldsa_from_height: z.number().int().min(1).optional(),
});
export type NotaryStats = z.infer<typeof NotaryStats>;
