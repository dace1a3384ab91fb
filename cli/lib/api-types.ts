// The answers of the public API, as far as the CLI reads them (see GET /v1/openapi.json). Declared
// here, not imported from workers/: the CLI is a client of the API and nothing else.
export interface ClusterConfig {
  max_nodes: number;
  max_replicas_per_node: number;
  auto_scaling_enabled: boolean;
  load_balancing_algorithm: string;
  security_level: string;
  notary: { max_receipts_per_block: number; max_block_window_s: number };
  [more: string]: unknown;
}

export interface Cluster {
  name: string;
  owner: string;
  created_at: string;
  config: ClusterConfig;
  nodes: number;
}

export interface ClusterNode {
  address: string;
  node_type: string;
  endpoint: string;
  capabilities: { cpu_cores: number; memory_gb: number; [more: string]: unknown };
  labels: Record<string, string>;
  zone: string | null;
  status: string;
  joined_at: string;
  last_heartbeat: string | null;
}

export interface RoleBinding {
  address: string;
  role: string;
  granted_by: string;
  granted_at: string;
}

export type ReplicaStatus = "pending" | "starting" | "running" | "stopping" | "exited" | "failed";

export interface Replica {
  id: string;
  replica_type: "primary" | "secondary" | "read_only" | "load_balancer";
  spec_version: number;
  node: string | null;
  status: ReplicaStatus;
  container: string;
  endpoint?: string;
  exit_code?: number;
  restarts: number;
  reason?: string;
  healthy?: boolean;
}

/** A WorkloadSpec as the server completed it (defaults filled in). */
export interface WorkloadSpec {
  name: string;
  image: string;
  command?: string[];
  replicas: number;
  secondaries: number;
  read_only_replicas: number;
  load_balancer_replicas: number;
  restart: string;
  [more: string]: unknown;
}

export interface Workload {
  workload: { spec: WorkloadSpec; version: number; created_at: string; updated_at: string; created_by: string };
  replicas: Replica[];
}

export interface ClusterHealth {
  status: "ok" | "degraded";
  nodes: Array<{ address: string; status: string; last_heartbeat: string | null; heartbeat_age_s: number | null }>;
  replicas: Array<{ id: string; workload: string; replica_type: string; node: string | null; status: ReplicaStatus; healthy: boolean | null; reason?: string }>;
}

/** ClusterMetrics: gauges by name (total_nodes, running_replicas, cpu_utilization, …). */
export type ClusterMetrics = Record<string, number>;

/** GET /v1/resolve: the seeds' ResolvedDomain. */
export interface ResolvedDomain {
  domain: string;
  protocol: "httpcg" | "rootzk";
  endpoint: string;
  security_requirements: Record<string, unknown>;
  wallet_binding: string | null;
  cache_ttl: number;
  resolution_time: string;
}
