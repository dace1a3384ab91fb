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
