import { z } from "zod";

/** GET …/apps/{app}/notary: the app's notary now, and the limits it seals by. */
export const NotaryStats = z.object({
  pending_receipts: z.number().int(),
  current_height: z.number().int(),
  max_receipts_per_block: z.number().int(),
  max_block_window_s: z.number().int(),
});
export type NotaryStats = z.infer<typeof NotaryStats>;
