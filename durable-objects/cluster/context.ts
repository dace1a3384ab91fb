import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import type { AuditLog } from "../shared/audit-log.ts";
import type { ConsensusStore } from "./consensus.ts";
import type { EventStore } from "./events.ts";
import type { GatewayTraffic } from "./gateway-traffic.ts";
import type { ClusterMeta } from "./meta-store.ts";
import type { NodeRegistry } from "./node-registry.ts";
import type { ReplayStore } from "./replay-store.ts";
import type { WorkloadStore } from "./workload-store.ts";

/** What the cluster's modules act on: its config and its typed stores (no raw SQL). */
export interface ClusterCtx {
  cluster: string;
  config: ClusterConfig;
  meta: ClusterMeta;
  audit: AuditLog;
  /** Audit entries written since `iso` (for the per-minute metric). */
  auditSince: (iso: string) => number;
  nodes: NodeRegistry;
  workloads: WorkloadStore;
  replays: ReplayStore;
  /** node-reported events (enc events) */
  events: EventStore;
  /** consensus placement rounds and the validator set */
  consensus: ConsensusStore;
  /** the gateway's outcomes per workload per second (pipelines' error-rate gate) */
  traffic: GatewayTraffic;
}
