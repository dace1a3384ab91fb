// TrafficLight pipelines: the wire objects of `enc pipeline …` (see README "Pipelines").
import { z } from "zod";
import { Address, AppName, ClusterName } from "./common.ts";

export const PipelineName = AppName;
export const StageName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "stage names are 1-32 characters of a-z, 0-9 and '-'");

/**
 * A stage: a set of workloads of the pipeline's cluster, or of `cluster` (another cluster, driven
 * by the pipeline's home ClusterDO over DO RPC); a promotion copies stage i's containers onto stage
 * i+1's i-th workload. A stage named production or prod, or marked `production`, is a production
 * stage (the enterprise rule dual-control-production applies to promotions into it).
 */
export const PipelineStage = z
  .object({ name: StageName, workloads: z.array(AppName).min(1).max(20), cluster: ClusterName.optional(), production: z.boolean().optional() })
  .strict();
export type PipelineStage = z.infer<typeof PipelineStage>;

export const PipelineGates = z
  .object({
    /** Automatic: every replica of the promoted version of the target runs and is healthy for this long (green); a failed one is red. */
    healthy_for_s: z.number().int().min(0).max(86_400).default(30),
    /** Red when the target is not green within this time after the change was applied. */
    verify_timeout_s: z.number().int().min(1).max(86_400).default(600),
    /**
     * Automatic, after the change: the share (percent) of the target's gateway requests answered 5xx
     * over the healthy-for window (at least 10 s, never before the change) must stay at or below
     * this; red above it once `min_requests` were seen, yellow (waiting) with less traffic.
     */
    max_error_rate: z.number().min(0).max(100).optional(),
    /** The requests the error-rate gate needs before it decides (default 10). */
    min_requests: z.number().int().min(1).max(1_000_000).optional(),
    /** Automatic, before the change: each source workload's latest replay must be a MATCH (deterministic jobs). */
    replay_match: z.boolean().default(false),
    /** Manual, dual control: `count` distinct wallets holding at least `role` in the cluster, never the promotion's author. */
    approvals: z
      .object({ count: z.number().int().min(0).max(10).default(1), role: z.enum(["operator", "admin", "owner"]).default("admin") })
      .strict()
      .default({ count: 1, role: "admin" }),
  })
  .strict();
export type PipelineGates = z.infer<typeof PipelineGates>;

export const CreatePipelineBody = z
  .object({
    name: PipelineName,
    stages: z.array(PipelineStage).min(2).max(10),
    gates: PipelineGates.default({ healthy_for_s: 30, verify_timeout_s: 600, replay_match: false, approvals: { count: 1, role: "admin" } }),
  })
  .strict()
  .meta({ id: "CreatePipeline" });
export type CreatePipelineBody = z.infer<typeof CreatePipelineBody>;

export const GateState = z.enum(["green", "yellow", "red"]);
export type GateState = z.infer<typeof GateState>;

export const GateResult = z.object({ gate: z.enum(["source_healthy", "replay_match", "approvals", "target_healthy", "error_rate"]), state: GateState, detail: z.string() });
export type GateResult = z.infer<typeof GateResult>;

/** An approver's decision and where it is recorded: the audit entry holds the request's signature. */
export const ApprovalRecord = z.object({ approver: Address, decision: z.enum(["approve", "reject"]), at: z.string(), audit_seq: z.number().int() });
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

/** `applying`: approved, the change is being made in another cluster (no other decision is taken meanwhile). */
export const PromotionState = z.enum(["awaiting_approval", "applying", "verifying", "promoted", "rejected", "halted", "rolled_back"]);
export type PromotionState = z.infer<typeof PromotionState>;

export const Promotion = z
  .object({
    id: z.string(),
    from: StageName,
    to: StageName,
    author: Address,
    created_at: z.string(),
    state: PromotionState,
    gates: z.array(GateResult),
    approvals: z.array(ApprovalRecord),
    /** target workload → its version before the change and the version the change made */
    changes: z.array(z.object({ source: AppName, target: AppName, image: z.string(), from_version: z.number().int(), to_version: z.number().int().nullable() })),
    /** the cluster of the target stage when it is not the pipeline's own */
    target_cluster: z.string().optional(),
    /** approvals this promotion needs: the pipeline's count, raised to 2 by dual-control-production */
    approvals_needed: z.number().int().optional(),
    applied_at: z.string().nullable(),
    healthy_since: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: "Promotion" });
export type Promotion = z.infer<typeof Promotion>;

export const Pipeline = z
  .object({
    name: PipelineName,
    cluster: z.string(),
    stages: z.array(PipelineStage),
    gates: PipelineGates,
    created_by: Address,
    created_at: z.string(),
    promotions: z.array(Promotion),
  })
  .meta({ id: "Pipeline" });
export type Pipeline = z.infer<typeof Pipeline>;

export const PromoteBody = z.object({ to: StageName.optional() }).strict().meta({ id: "PromoteRequest" });
export const ApprovalBody = z.object({ comment: z.string().max(1000).optional() }).strict().meta({ id: "ApprovalRequest" });
