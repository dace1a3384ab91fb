// Wire schemas (zod v4). Signed objects are loose: unknown future fields are covered by the
// hash and must survive parsing, or re-serialized objects would stop verifying.
import { z } from "zod";
import { decodeAddress } from "./address.ts";
import { GENESIS, HASH_TEXT_RE } from "./hash.ts";
import { MLDSA_SIG_TEXT_RE } from "./mldsa.ts";
import { SIG_TEXT_RE } from "./signing.ts";
import { isIso } from "./time.ts";
import { AppName } from "./api/common.ts";
import { TlogBinding } from "./api/tlog.ts";

/** The ops this agent emits (ReceiptInput.op); verifiers accept any op-shaped string (`op` below). */
export const KNOWN_OPS = ["pull", "create", "start", "usage", "stop", "kill", "exit", "oom", "replay"] as const;
/** Every event the control plane records; `AuditLog.append` takes only these. */
export const AUDIT_EVENTS = [
  "ClusterCreated", "NodeAdded", "NodeRemoved", "NodeStatusChanged", "JoinTokenIssued", "RoleGranted",
  "RoleRevoked", "WorkloadDeployed", "WorkloadUpdated", "WorkloadScaled", "WorkloadDeleted", "ReplicaCreated",
  "ReplicaFailover", "ReplayRequested", "ReplayVerified", "AgreementDeployed", "AgreementUpdated",
  "AgreementRolledBack", "ResourceAllocation", "SecurityViolation", "DomainRegistered", "DomainUpdated",
  "DomainRemoved", "DidCreated", "DidUpdated", "DidDeactivated", "LogBlockSealed", "ProtocolUpgrade",
  "ReplicaExec", "ReplicaStopUnconfirmed",
  "CageVerdict",
  "AgreementRemoved",
  "RolloutCompleted", "RolloutHalted", "RolloutPaused", "RolloutResumed", "RolloutUndone", "RolloutRestarted",
  "PipelineCreated", "PipelinePromotionRequested", "PipelineGate", "PipelineApproval", "PipelinePromoted", "PipelineRolledBack",
  "PolicyAdded", "PolicyRemoved", "PolicyDecision", "SecurityLevelRaised",
  "QuantumSafeEnabled",
  "PlacementCommitted", "PlacementRefused", "ValidatorSetChanged",
] as const;

export const hashText = z.string().regex(HASH_TEXT_RE, "must be blake3:<64 lowercase hex>");
export const sigText = z.string().regex(SIG_TEXT_RE, "must be ed25519:<128 lowercase hex>");
/** PROTOCOL.md §15: the optional ML-DSA-65 co-signature of quantum-safe clusters. */
export const mldsaSigText = z.string().regex(MLDSA_SIG_TEXT_RE, "must be ml-dsa-65:<base64 of 3,309 bytes>");
export const prevHash = z.union([z.literal(GENESIS), hashText]);
export const imageDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 lowercase hex>");
export const isoTime = z.string().refine(isIso, "must be an RFC 3339 UTC time with milliseconds, e.g. 2026-01-15T10:00:00.000Z");
export const address = z.string().superRefine((s, ctx) => {
  try {
    decodeAddress(s);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});
// Future ops are allowed (PROTOCOL.md: "more may be added") but must look like ops.
export const op = z.string().regex(/^[a-z][a-z0-9_-]*$/, "must match ^[a-z][a-z0-9_-]*$");
const name = z.string().min(1);
/**
 * The most one receipt may claim of any resource: far above a real step (1e12 ms of CPU is 31
 * years), far below where sums lose integer precision or overflow (a 1e308 would make every
 * total of its app Infinity).
 */
export const MAX_RESOURCE = 1e12;
const usage = z.number().nonnegative().max(MAX_RESOURCE);
/** A container id as agents name them (`<replica>.<n>`, `replay-…`): short and path-safe. */
export const containerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "container ids are 1-128 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
/**
 * Receipt times are real times: years 2000-2199 (the notary further holds them to a window around
 * its own clock, domain/notary/admission.ts); a string compare is a time compare for these.
 */
export const receiptTime = isoTime.refine((s) => s >= "2000-01-01T00:00:00.000Z" && s < "2200-01-01T00:00:00.000Z", "must be between the years 2000 and 2199");

export const Resource = z.looseObject({
  cpu_ms: z.int().nonnegative().max(MAX_RESOURCE),
  memory_mb_s: usage,
  storage_gb_day: usage,
  egress_mb: usage,
});

const receiptBodyShape = {
  v: z.literal(1),
  cluster: name,
  app: AppName,
  node: address,
  container: containerId,
  op,
  ts: receiptTime,
  resource: Resource,
  labels: z.record(z.string(), z.string()),
  prev_hash: prevHash,
  exit_code: z.int().optional(),
  image: imageDigest.optional(),
  witness_root: hashText.optional(),
  seed: hashText.optional(),
};
export const StepReceiptBodySchema = z.looseObject(receiptBodyShape);
export const StepReceiptSchema = StepReceiptBodySchema.extend({ hash: hashText, sig: sigText });

const Range = z
  .looseObject({ from_ts: isoTime, to_ts: isoTime })
  .refine((r) => r.from_ts <= r.to_ts, "range.from_ts must not be after range.to_ts");

const blockBodyShape = {
  v: z.literal(1),
  cluster: name,
  app: name,
  height: z.int().min(1),
  prev: prevHash,
  merkle_root: hashText,
  count: z.int().min(1),
  range: Range,
  notary: address,
  tlog: TlogBinding.optional(),
};
export const LogBlockBodySchema = z.looseObject(blockBodyShape);
export const LogBlockSchema = LogBlockBodySchema.extend({ sig_notary: sigText, sig_notary_mldsa: mldsaSigText.optional() }).meta({ id: "LogBlock" });

// Future events are allowed but keep the PascalCase form of the listed ones.
export const auditEvent = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "must be a PascalCase event name");

const auditBodyShape = {
  v: z.literal(1),
  cluster: name,
  seq: z.int().min(1),
  ts: isoTime,
  event: auditEvent,
  actor: z.union([z.literal("system"), address]),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
  prev_hash: prevHash,
};
export const AuditEntryBodySchema = z.looseObject(auditBodyShape);
export const AuditEntrySchema = AuditEntryBodySchema.extend({ hash: hashText, sig: sigText, sig_mldsa: mldsaSigText.optional() }).meta({ id: "AuditEntry" });

export const InclusionProofSchema = z
  .object({
    cluster: name,
    app: name,
    height: z.int().min(1),
    leaf_index: z.int().nonnegative(),
    tree_size: z.int().min(1),
    path: z.array(hashText),
  })
  .refine((p) => p.leaf_index < p.tree_size, "leaf_index must be less than tree_size")
  .meta({ id: "InclusionProof" });

// Same-named values and types, the usual zod style: `StepReceipt.parse(x)` gives a `StepReceipt`.
export const StepReceipt = StepReceiptSchema;
export const LogBlock = LogBlockSchema;
export const AuditEntry = AuditEntrySchema;
export const InclusionProof = InclusionProofSchema;
export type StepReceipt = z.infer<typeof StepReceiptSchema>;
export type StepReceiptBody = z.infer<typeof StepReceiptBodySchema>;
export type LogBlock = z.infer<typeof LogBlockSchema>;
export type LogBlockBody = z.infer<typeof LogBlockBodySchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AuditEntryBody = z.infer<typeof AuditEntryBodySchema>;
export type InclusionProof = z.infer<typeof InclusionProofSchema>;
// Known fields only, without the loose index signature, so that signing inputs stay type-checked.
const strictReceipt = z.object(receiptBodyShape);
const strictBlock = z.object(blockBodyShape);
const strictAudit = z.object(auditBodyShape);
export type StepReceiptFields = z.infer<typeof strictReceipt>;
export type LogBlockFields = z.infer<typeof strictBlock>;
export type AuditEntryFields = z.infer<typeof strictAudit>;
export type ResourceUsage = z.infer<typeof Resource>;
export type KnownOp = (typeof KNOWN_OPS)[number];
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
