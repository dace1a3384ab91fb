// Plain data shapes shared by the scheduler modules. Everything here is JSON-serializable so the
// ClusterDO can persist inputs and outputs verbatim and replay a decision for an audit.

export interface Resources {
  cpu_millis: number;
  memory_mb: number;
  storage_gb: number;
}

/**
 * What a node offers. The three sizes are totals; anything else is a feature the node declares
 * (booleans, numbers, strings, string lists) that a placement may require by key.
 */
export interface NodeCapabilities {
  cpu_millis: number;
  memory_mb: number;
  storage_gb: number;
  supports_determinism_cage?: boolean;
  architectures?: string[];
  [k: string]: unknown;
}

export type NodeStatus = "ready" | "cordoned" | "draining" | "down" | "pending";

export interface SchedNode {
  /** bpi1… address of the node key. */
  id: string;
  /** "compute", "storage", "gateway", "validator", "hybrid", … */
  node_type: string;
  status: NodeStatus;
  capabilities: NodeCapabilities;
  labels: Record<string, string>;
  zone?: string;
  /** Relative share for weighted algorithms; 1 when absent. */
  weight?: number;
  /** Sum of the resources of the replicas already bound to this node. */
  allocated: Resources;
  /** Replicas bound to this node, across all workloads. */
  replicas: number;
  /** Open connections reported by the node (least_connections). */
  connections?: number;
}

export type ReplicaType = "primary" | "secondary" | "read_only" | "load_balancer";
export type { ReplicaStatus } from "../../protocol/api/workload.ts";

export type Algorithm =
  | "resource_based"
  | "resource_based_binpack"
  | "resource_based_spread"
  | "round_robin"
  | "weighted_round_robin"
  | "least_connections"
  | "consistent_hashing";

export const ALGORITHMS: readonly Algorithm[] = [
  "resource_based",
  "resource_based_binpack",
  "resource_based_spread",
  "round_robin",
  "weighted_round_robin",
  "least_connections",
  "consistent_hashing",
];

export interface ExistingReplica {
  nodeId: string;
  replicaType: ReplicaType;
  replicaId: string;
}

export interface PlacementConstraints {
  node_type?: string;
  /** Required capabilities; see constraints.ts for how each value kind matches. */
  capabilities?: Record<string, unknown>;
  /** Every listed label must be present with exactly this value. */
  labels?: Record<string, string>;
  /** One allowed zone or a list of them. */
  zone?: string | string[];
  /** Only these node ids may take the replica. */
  nodes?: string[];
}

export interface PlacementRequest {
  workload: string;
  replicaId: string;
  replicaType: ReplicaType;
  resources: Resources;
  constraints?: PlacementConstraints;
  algorithm?: Algorithm;
  /** The workload's replicas that already hold a node (live ones only: leave out lost replicas). */
  existing: ExistingReplica[];
}

/** Cursor state of the stateful algorithms; the caller stores it and passes it back. */
export interface SchedulerState {
  /** Id of the node round_robin chose last. */
  roundRobinCursor?: string;
  /** Current weights of smooth weighted round robin, by node id. */
  weightedCurrent?: Record<string, number>;
}

export interface ScheduleOptions {
  /** Used when a request names no algorithm (EncClusterConfig.load_balancing_algorithm). */
  algorithm?: Algorithm;
  /** EncClusterConfig.max_replicas_per_node; unlimited when absent. */
  maxReplicasPerNode?: number;
  /** How many runner-up scores to report (default 3). */
  topN?: number;
}

export interface NodeScore {
  nodeId: string;
  /** The algorithm's own score, higher is better. */
  score: number;
  /** Soft-preference penalty, compared before the score; lower is better. */
  penalty: number;
}

export type RejectReason =
  | "down"
  | "cordoned"
  | "draining"
  | "pending"
  | "node_type"
  | "capability"
  | "label"
  | "zone"
  | "node"
  | "primary_secondary"
  | "max_replicas"
  | "cpu"
  | "memory"
  | "storage";

export interface NodeRejection {
  nodeId: string;
  reasons: RejectReason[];
}

export type PlaceResult =
  | { ok: true; nodeId: string; scores: NodeScore[]; state: SchedulerState }
  | {
      ok: false;
      reason: string;
      rejections: NodeRejection[];
      /** Nodes counted by their first reason, in RejectReason order. */
      counts: Partial<Record<RejectReason, number>>;
      state: SchedulerState;
    };
