import type { NodeStatus, PlacementRequest, ReplicaType, SchedNode } from "../../../domain/scheduler/types.ts";

export interface NodeSpec {
  cpu?: number;
  mem?: number;
  sto?: number;
  used?: [number, number, number];
  status?: NodeStatus;
  zone?: string;
  weight?: number;
  connections?: number;
  replicas?: number;
  node_type?: string;
  labels?: Record<string, string>;
  caps?: Record<string, unknown>;
}

/** A ready compute node with 4 cores, 8 GiB, 100 GB, nothing allocated, unless told otherwise. */
export function node(id: string, s: NodeSpec = {}): SchedNode {
  const [c, m, st] = s.used ?? [0, 0, 0];
  return {
    id,
    node_type: s.node_type ?? "compute",
    status: s.status ?? "ready",
    capabilities: { cpu_millis: s.cpu ?? 4000, memory_mb: s.mem ?? 8192, storage_gb: s.sto ?? 100, ...s.caps },
    labels: s.labels ?? {},
    ...(s.zone !== undefined ? { zone: s.zone } : {}),
    ...(s.weight !== undefined ? { weight: s.weight } : {}),
    ...(s.connections !== undefined ? { connections: s.connections } : {}),
    allocated: { cpu_millis: c, memory_mb: m, storage_gb: st },
    replicas: s.replicas ?? 0,
  };
}

/** A replica request of 100 millis / 64 MB / 0 GB with no existing replicas, unless told otherwise. */
export function req(workload: string, replicaId: string, over: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    workload,
    replicaId,
    replicaType: "read_only" as ReplicaType,
    resources: { cpu_millis: 100, memory_mb: 64, storage_gb: 0 },
    existing: [],
    ...over,
  };
}
