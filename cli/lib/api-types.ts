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
