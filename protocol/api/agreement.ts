// Agreements: declarative documents (CueYaml, Compose, CueTree, DockLock, k8s, CueCage) the
// control plane compiles to workloads, versioned by content hash. The document itself travels in
// its own media type (application/yaml) or as JSON; these are the answers about it.
import { z } from "zod";
import { CageCheck } from "./cage.ts";
import { AppName } from "./common.ts";
import { WorkloadSpec } from "./workload.ts";

export const AgreementType = z.enum(["cue-yaml", "compose", "cue-cage", "cue-tree", "docklock", "k8s"]).meta({ id: "AgreementType" });
export type AgreementType = z.infer<typeof AgreementType>;

/** A field change of one workload: top-level WorkloadSpec field, before and after. */
export const AgreementFieldChange = z.object({ field: z.string(), from: z.unknown().optional(), to: z.unknown().optional() }).meta({ id: "AgreementFieldChange" });

/** What an apply does (or would do) to one workload the agreement names or named. */
export const AgreementWorkloadChange = z
  .object({
    name: z.string(),
    /** create | update (a rolling update) | unchanged | remove (pruned or deleted) | keep (no longer named; kept without prune) */
    action: z.enum(["create", "update", "unchanged", "remove", "keep"]),
    changed: z.array(z.string()),
    changes: z.array(AgreementFieldChange).optional(),
    /** the dependency wave it is applied in (0 first) */
    wave: z.number().int().optional(),
  })
  .meta({ id: "AgreementWorkloadChange" });
export type AgreementWorkloadChange = z.infer<typeof AgreementWorkloadChange>;

export const AgreementApplyResult = z
  .object({
    name: z.string(),
    type: AgreementType,
    /** kubectl's words: created | configured | unchanged (with dry_run: what would happen) */
    action: z.enum(["created", "configured", "unchanged"]),
    version: z.number().int(),
    hash: z.string(),
    previous_hash: z.string().nullable(),
    dry_run: z.boolean(),
    workloads: z.array(AgreementWorkloadChange),
    /** waves still to apply, each once the one before is ready */
    pending_waves: z.array(z.array(z.string())),
    /** httpcg hosts registered to the agreement's gateway */
    registered: z.array(z.string()).optional(),
  })
  .meta({ id: "AgreementApplyResult" });
export type AgreementApplyResult = z.infer<typeof AgreementApplyResult>;

export const AgreementApplyResponse = z.object({ results: z.array(AgreementApplyResult) }).meta({ id: "AgreementApplyResponse" });
export type AgreementApplyResponse = z.infer<typeof AgreementApplyResponse>;

export const AgreementStatus = z.enum(["deploying", "ready", "removing"]);

export const AgreementSummary = z
  .object({
    name: z.string(),
    type: AgreementType,
    version: z.number().int(),
    hash: z.string(),
    status: AgreementStatus,
    /** workloads this agreement created and still owns */
    workloads: z.array(z.string()),
    pending_waves: z.array(z.array(z.string())),
    created_at: z.string(),
    created_by: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "AgreementSummary" });
export type AgreementSummary = z.infer<typeof AgreementSummary>;

/** `enc agreement show`: the current version's documents and what they compiled to. */
export const AgreementView = AgreementSummary.extend({
  documents: z.array(z.unknown()),
  compiled: z.object({
    workloads: z.array(WorkloadSpec),
    order: z.array(z.array(z.string())).optional(),
    registry: z.array(z.object({ host: z.string(), workload: z.string(), tls: z.boolean() })).optional(),
    labels: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    notes: z.array(z.string()).optional(),
    job: z.object({ workload: z.string(), nodes: z.number().int() }).optional(),
    /** `--target-nodes`: the node addresses every workload is constrained to */
    target_nodes: z.array(z.string()).optional(),
  }),
  /** a CueCage agreement's check: each node's witness root and the verdict */
  cage: CageCheck.optional(),
}).meta({ id: "AgreementView" });
export type AgreementView = z.infer<typeof AgreementView>;

export const AgreementVersion = z
  .object({
    version: z.number().int(),
    hash: z.string(),
    type: AgreementType,
    /** the signing key of the request that made it */
    author: z.string(),
    created_at: z.string(),
    cause: z.string(),
    current: z.boolean(),
  })
  .meta({ id: "AgreementVersion" });
export type AgreementVersion = z.infer<typeof AgreementVersion>;

/** `previous`, a version number, or a version's hash. */
export const AgreementRollbackBody = z
  .object({ version: z.union([z.literal("previous"), z.number().int().min(1), z.string().regex(/^(previous|[1-9][0-9]*|blake3:[0-9a-f]{64})$/, "previous, a version number or blake3:<hash>")]) })
  .strict()
  .meta({ id: "AgreementRollbackBody" });
export type AgreementRollbackBody = z.infer<typeof AgreementRollbackBody>;

export const AgreementCheck = z
  .object({ check: z.enum(["schema", "ownership", "security", "resources"]), ok: z.boolean(), detail: z.string(), field: z.string().optional() })
  .meta({ id: "AgreementCheck" });

export const AgreementValidation = z
  .object({
    valid: z.boolean(),
    agreements: z.array(z.object({ name: z.string(), type: AgreementType, hash: z.string(), workloads: z.array(z.string()), checks: z.array(AgreementCheck) })),
  })
  .meta({ id: "AgreementValidation" });
export type AgreementValidation = z.infer<typeof AgreementValidation>;

export const AgreementName = AppName;
