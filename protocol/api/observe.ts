import { z } from "zod";
import { ReplicaBackOff, ReplicaStatus } from "./workload.ts";

/** GET …/metrics: the seeds' ClusterMetrics, gauges by name (total_nodes, running_replicas, …). */
export const ClusterMetrics = z.record(z.string(), z.number());
export type ClusterMetrics = z.infer<typeof ClusterMetrics>;

/** GET …/health: per node and per replica. */
export const ClusterHealth = z.looseObject({
  status: z.enum(["ok", "degraded"]),
  nodes: z.array(z.object({ address: z.string(), status: z.string(), last_heartbeat: z.string().nullable(), heartbeat_age_s: z.number().nullable() })),
  replicas: z.array(
    z.object({
      id: z.string(),
      workload: z.string(),
      replica_type: z.string(),
      node: z.string().nullable(),
      status: ReplicaStatus,
      healthy: z.boolean().nullable(),
      reason: z.string().optional(),
      backoff: ReplicaBackOff.optional(),
    }),
  ),
});
export type ClusterHealth = z.infer<typeof ClusterHealth>;

/** GET …/workloads/{name}/logs: the stored output of each replica's streams. */
export const WorkloadLogs = z
  .object({
    logs: z.array(
      z.object({
        replica: z.string(),
        stream: z.string(),
        /** where `text` begins in the stream (bytes written before are gone or were cut) */
        offset: z.number(),
        text: z.string(),
        /** with timestamps=true: where each stored chunk of `text` begins and when the agent read it */
        times: z.array(z.object({ offset: z.number(), at: z.string() })).optional(),
      }),
    ),
  })
  .meta({ id: "WorkloadLogs" });
export type WorkloadLogs = z.infer<typeof WorkloadLogs>;
export type LogText = WorkloadLogs["logs"][number];
