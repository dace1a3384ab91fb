import { z } from "zod";
import { Address, AppName } from "./common.ts";
import { LoadBalancingAlgorithm } from "./cluster.ts";

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "environment variable names are letters, digits and _");

export const ImageRef = z
  .string()
  .min(3)
  .max(1024)
  .regex(/^(oci:|oci-archive:|[a-z0-9.-]+(:[0-9]+)?\/)/, "an image is oci:<dir>[:tag], oci-archive:<file>[:tag] or <registry>/<repo>[:tag|@sha256:…]");

export const Resources = z
  .object({
    cpu_millis: z.number().int().min(10).max(256_000).default(100),
    memory_mb: z.number().int().min(4).max(1_048_576).default(64),
    storage_gb: z.number().min(0).max(100_000).default(0),
    pids: z.number().int().min(8).max(32_768).default(256),
  })
  .strict();

export const Cage = z
  .object({
    determinism: z.boolean().default(false),
    seed: z.string().max(256).default(""),
    network: z.enum(["none", "host"]).default("none"),
    output_dir: z.string().regex(/^\/[A-Za-z0-9._/-]*$/, "an absolute path in the container").max(256).optional(),
  })
  .strict();

export const Constraints = z
  .object({
    node_type: z.string().max(32).optional(),
    capabilities: z.record(z.string().max(64), z.union([z.boolean(), z.number(), z.string()])).optional(),
    labels: z.record(z.string().max(63), z.string().max(253)).optional(),
    zone: z.union([z.string().max(63), z.array(z.string().max(63)).max(32)]).optional(),
    /** Only these nodes (bpi1… addresses) may take the workload's replicas (`--target-nodes`). */
    nodes: z.array(Address).min(1).max(64).optional(),
  })
  .strict();

export const WorkloadSpec = z
  .object({
    name: AppName,
    image: ImageRef,
    command: z.array(z.string().max(4096)).max(256).optional(),
    env: z.record(EnvName, z.string().max(32_768)).default({}),
    /** Primary replicas. */
    replicas: z.number().int().min(0).max(1000).default(1),
    /** Hot standbys: a lost primary is replaced by promoting one (ReplicaFailover). */
    secondaries: z.number().int().min(0).max(1000).default(0),
    read_only_replicas: z.number().int().min(0).max(1000).default(0),
    load_balancer_replicas: z.number().int().min(0).max(100).default(0),
    resources: Resources.default({ cpu_millis: 100, memory_mb: 64, storage_gb: 0, pids: 256 }),
    ports: z.array(z.object({ container_port: z.number().int().min(1).max(65_535) }).strict()).max(16).default([]),
    restart: z.enum(["never", "on-failure", "always"]).default("never"),
    cage: Cage.default({ determinism: false, seed: "", network: "none" }),
    constraints: Constraints.optional(),
    /** Horizontal autoscaling of primaries on average CPU (percent of requested cpu_millis). */
    autoScaling: z
      .object({
        enabled: z.boolean().default(true),
        minReplicas: z.number().int().min(0).max(1000).default(1),
        maxReplicas: z.number().int().min(1).max(1000).default(10),
        targetCPU: z.number().min(1).max(1000).default(70),
      })
      .strict()
      .refine((a) => a.minReplicas <= a.maxReplicas, { message: "minReplicas must not exceed maxReplicas", path: ["minReplicas"] })
      .optional(),
    load_balancing_algorithm: LoadBalancingAlgorithm.optional(),
    /** Gateway callers must sign their requests (RFC 9421); the verified wallet is forwarded. */
    wallet_authentication: z.boolean().default(false),
    /** Checked by the agent; a failing replica gets no gateway traffic. */
    health_check: z
      .object({
        http_path: z.string().regex(/^\/[^\s]*$/).max(1024).optional(),
        command: z.array(z.string().max(4096)).min(1).max(64).optional(),
        interval_s: z.number().int().min(1).max(3600).default(5),
        threshold: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .refine((h) => !!h.http_path !== !!h.command, { message: "give exactly one of http_path and command", path: ["http_path"] })
      .optional(),
    /** A small init (tini) as PID 1, so signals reach the process and zombies are reaped. */
    init: z.boolean().default(true),
    /** How an update replaces replicas: at most max_surge extra, at most max_unavailable short. */
    rollout: z
      .object({
        max_surge: z.number().int().min(0).max(1000).default(1),
        max_unavailable: z.number().int().min(0).max(1000).default(0),
        /** a new replica not ready within this halts the rollout, keeping the old replicas */
        progress_deadline_s: z.number().int().min(1).max(86_400).default(120),
      })
      .strict()
      .refine((r) => r.max_surge + r.max_unavailable > 0, { message: "max_surge and max_unavailable cannot both be 0", path: ["max_surge"] })
      .optional(),
  })
  .strict()
  .meta({ id: "Workload" });
export type WorkloadSpec = z.infer<typeof WorkloadSpec>;

export const ReplicaStatus = z.enum(["pending", "starting", "running", "stopping", "exited", "failed"]);
export type ReplicaStatus = z.infer<typeof ReplicaStatus>;

/**
 * Why a replica is not running and when it is tried again, as Kubernetes' waiting reasons: its
 * container keeps crashing (CrashLoopBackOff) or its image cannot be pulled (ImagePullBackOff).
 * `reason` is the underlying cause ("exited 3", "cannot read oci-layout: ENOENT"); the retry
 * time follows a capped exponential back-off.
 */
export const ReplicaBackOff = z
  .object({
    state: z.enum(["CrashLoopBackOff", "ImagePullBackOff"]),
    reason: z.string().max(1000),
    /** when the agent starts (or pulls) again, by the agent's clock */
    next_retry_at: z.string().max(40),
    /** failures in a row so far */
    failures: z.number().int().min(0),
  })
  .strict()
  .meta({ id: "ReplicaBackOff" });
export type ReplicaBackOff = z.infer<typeof ReplicaBackOff>;

export const ReplicaType = z.enum(["primary", "secondary", "read_only", "load_balancer"]);

export const Replica = z
  .object({
    id: z.string(),
    replica_type: ReplicaType,
    spec_version: z.number().int(),
    healthy: z.boolean().optional(),
    node: z.string().nullable(),
    status: ReplicaStatus,
    container: z.string(),
    endpoint: z.string().optional(),
    exit_code: z.number().int().optional(),
    restarts: z.number().int(),
    reason: z.string().optional(),
    /** when the replica was placed (its AGE in `enc ps`) */
    created_at: z.string().optional(),
    /** present while the replica waits out a back-off after crashing or failing to pull */
    backoff: ReplicaBackOff.optional(),
  })
  .meta({ id: "Replica" });
export type Replica = z.infer<typeof Replica>;

export const WorkloadView = z
  .object({ spec: WorkloadSpec, version: z.number().int(), created_at: z.string(), updated_at: z.string(), created_by: z.string() })
  .meta({ id: "WorkloadView" });
export type WorkloadView = z.infer<typeof WorkloadView>;

export const RolloutState = z
  .object({
    status: z.enum(["progressing", "paused", "halted", "complete"]),
    from_version: z.number().int(),
    to_version: z.number().int(),
    started_at: z.string(),
    updated_at: z.string(),
    reason: z.string().optional(),
    clock_ms: z.number().optional(),
  })
  .meta({ id: "RolloutState" });
export type RolloutState = z.infer<typeof RolloutState>;

/** `enc rollout status`: the rollout and the replicas per version. */
export const RolloutView = z
  .object({
    workload: z.string(),
    version: z.number().int(),
    rollout: RolloutState.nullable(),
    replicas: z.array(z.object({ version: z.number().int(), total: z.number().int(), ready: z.number().int() })),
  })
  .meta({ id: "RolloutView" });
export type RolloutView = z.infer<typeof RolloutView>;

export const WorkloadVersion = z
  .object({
    version: z.number().int(),
    created_at: z.string().nullable(),
    created_by: z.string().nullable(),
    cause: z.string().nullable(),
    image: z.string(),
    /** what differs from the version before (top-level spec fields) */
    changed: z.array(z.string()),
    current: z.boolean(),
  })
  .meta({ id: "WorkloadVersion" });
export type WorkloadVersion = z.infer<typeof WorkloadVersion>;

/** A workload as the API answers it: the current spec and where its replicas are. */
export const WorkloadWithReplicas = z.object({ workload: WorkloadView, replicas: z.array(Replica) });
export type WorkloadWithReplicas = z.infer<typeof WorkloadWithReplicas>;
