// Wire objects of witness cosigning (PROTOCOL.md §7). Plain zod, as the rest of api/.
import { z } from "zod";
import { parseWitnessVkey } from "../c2sp/cosignature.ts";

/** Hosts a witness may be reached on over plain http: this machine only. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Why `url` cannot be a witness's submission prefix, or null when it can. */
export function witnessUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "must be an absolute URL";
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) return "must be https (plain http only on a loopback host)";
  if (u.username || u.password) return "must not carry credentials";
  if (u.search || u.hash || url.includes("?") || url.includes("#")) return "must not have a query or fragment";
  return null;
}

/** One witness a cluster's logs submit their checkpoints to (tlog-witness), and its cosignature/v1 key. */
export const WitnessEndpoint = z
  .object({
    url: z
      .string()
      .max(2048)
      .superRefine((s, ctx) => {
        const why = witnessUrlProblem(s);
        if (why) ctx.addIssue({ code: "custom", message: why });
      }),
    vkey: z
      .string()
      .max(512)
      .superRefine((s, ctx) => {
        try {
          parseWitnessVkey(s);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
        }
      }),
  })
  .strict()
  .meta({ id: "WitnessEndpoint" });
export type WitnessEndpoint = z.infer<typeof WitnessEndpoint>;
