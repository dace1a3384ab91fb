import { z } from "zod";

/** One run of a CueCage job: the node, its node-signed exit receipt and the witness root in it. */
export const CageRun = z
  .object({
    node: z.string(),
    replica: z.string(),
    container: z.string(),
    receipt: z.string(),
    witness_root: z.string().nullable(),
    exit_code: z.number().int().nullable(),
  })
  .meta({ id: "CageRun" });
export type CageRun = z.infer<typeof CageRun>;

/** Whether N distinct nodes agreed on the witness root (domain/agreements/cage-verdict.ts). */
export const CageVerdict = z
  .object({
    status: z.enum(["pending", "accepted", "rejected"]),
    nodes_required: z.number().int(),
    runs: z.array(CageRun),
    reason: z.string(),
    decided_at: z.string().optional(),
  })
  .meta({ id: "CageVerdict" });
export type CageVerdict = z.infer<typeof CageVerdict>;

/** A CueCage agreement's job: which workload, on how many nodes, which version, and the verdict. */
export const CageCheck = z
  .object({
    agreement: z.string(),
    workload: z.string(),
    nodes: z.number().int(),
    spec_version: z.number().int(),
    registered_at: z.string(),
    verdict: CageVerdict.optional(),
  })
  .meta({ id: "CageCheck" });
export type CageCheck = z.infer<typeof CageCheck>;
