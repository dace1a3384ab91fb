// Wire objects of the C2SP transparency logs (PROTOCOL.md §6). Plain zod, as the rest of api/.
import { z } from "zod";

/** A LogBlock's binding to the app log's checkpoint its seal produced (covered by its signature). */
export const TlogBinding = z
  .object({
    size: z.int().min(1),
    root: z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256:<64 lowercase hex>"),
  })
  .strict()
  .meta({ id: "TlogBinding" });
export type TlogBinding = z.infer<typeof TlogBinding>;

/** GET …/log/: what a transparency-log client needs to follow the log. */
export const LogInfo = z
  .object({
    origin: z.string(),
    vkey: z.string(),
    size: z.int().min(0),
    witnesses: z.array(z.string()),
  })
  .meta({ id: "LogInfo" });
export type LogInfo = z.infer<typeof LogInfo>;

/** A sealed receipt's place in its app log, proved against the newest checkpoint (a signed note). */
export const TlogInclusion = z
  .object({
    index: z.int().min(0),
    size: z.int().min(1),
    /** RFC 9162 audit path, standard base64 hashes, leaf side first. */
    proof: z.array(z.string()),
    checkpoint: z.string(),
  })
  .meta({ id: "TlogInclusion" });
export type TlogInclusion = z.infer<typeof TlogInclusion>;
