import { z } from "zod";

/** GET/POST /v1/resolve (PROTOCOL.md §4): the seeds' ResolvedDomain. */
export const ResolvedDomain = z
  .looseObject({
    domain: z.string(),
    protocol: z.enum(["httpcg", "rootzk"]),
    endpoint: z.string(),
    security_requirements: z.looseObject({}),
    wallet_binding: z.string().nullable(),
    cache_ttl: z.number().int(),
    resolution_time: z.string(),
  })
  .meta({ id: "ResolvedDomain" });
export type ResolvedDomain = z.infer<typeof ResolvedDomain>;
