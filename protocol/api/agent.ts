import { z } from "zod";
import { ReplicaBackOff, ReplicaStatus } from "./workload.ts";

export const ContainerReport = z
  .object({
    replica: z.string().max(200),
    container: z.string().max(200).optional(),
    status: ReplicaStatus,
    exit_code: z.number().int().optional(),
    endpoint: z.string().max(2048).optional(),
    restarts: z.number().int().min(0).default(0),
    reason: z.string().max(1000).optional(),
    cpu_percent: z.number().min(0).optional(),
    /** Result of the workload's health check; absent when it has none. */
    healthy: z.boolean().optional(),
    /** CrashLoopBackOff / ImagePullBackOff, while the replica waits to be tried again */
    backoff: ReplicaBackOff.optional(),
  })
  .strict();
export type ContainerReport = z.infer<typeof ContainerReport>;
/** As the agent sends it: defaulted fields may be left out. */
export type ContainerReportInput = z.input<typeof ContainerReport>;

/**
 * Something that happened to a replica on the node (pulled, started, exited, back-off, health
 * changed…), as the agent saw it; carried by the node-signed heartbeat.
 */
export const AgentEvent = z
  .object({
    at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "an RFC 3339 UTC time"),
    replica: z.string().max(200),
    container: z.string().max(200).optional(),
    kind: z.string().regex(/^[a-z][a-z_]{0,39}$/, "a lower-case event kind, e.g. pulled"),
    reason: z.string().max(1000).optional(),
    /** Increasing per node: an event resent after an agent restart is recorded once (ClusterDO keeps the newest). */
    seq: z.number().int().positive().optional(),
  })
  .strict()
  .meta({ id: "AgentEvent" });
export type AgentEvent = z.infer<typeof AgentEvent>;

export const HeartbeatBody = z
  .object({
    usage: z
      .object({ cpu_millis: z.number().min(0), memory_mb: z.number().min(0), storage_gb: z.number().min(0).default(0), connections: z.number().int().min(0).default(0) })
      .strict(),
    containers: z.array(ContainerReport).max(10_000).default([]),
    /** Outcomes of replays the desired state asked for. */
    replays: z
      .array(
        z
          .object({
            id: z.string().max(100),
            verdict: z.enum(["match", "mismatch", "error"]),
            replay_receipt: z.string().regex(/^blake3:[0-9a-f]{64}$/).optional(),
            detail: z.string().max(2000).optional(),
          })
          .strict(),
      )
      .max(100)
      .default([]),
    desired_version: z.number().int().min(0).optional(),
    /** events since the last delivered heartbeat, oldest first */
    events: z.array(AgentEvent).max(200).default([]),
    /** what the node offers now (enc-agent run --capacity-*), signed with the heartbeat; consensus validators check placements against it */
    capacity: z.object({ cpu_millis: z.number().min(0), memory_mb: z.number().min(0) }).strict().optional(),
  })
  .strict()
  .meta({ id: "Heartbeat" });
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;
export type HeartbeatBodyInput = z.input<typeof HeartbeatBody>;
export type HeartbeatAnswer = { desired_version: number };

export const LogBatch = z
  .object({
    entries: z
      .array(
        z
          .object({
            replica: z.string().max(200),
            stream: z.enum(["stdout", "stderr"]),
            offset: z.number().int().min(0),
            data: z.string().max(1_000_000).describe("base64"),
            /** when the agent read the chunk from the container's output (its lines' time) */
            at: z.iso.datetime({ offset: true }).optional(),
            /** the container that wrote it: `enc logs --previous` picks the one before the current */
            container: z.string().max(200).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict()
  .meta({ id: "LogBatch" });
export type LogBatch = z.infer<typeof LogBatch>;
export type LogEntry = LogBatch["entries"][number];
