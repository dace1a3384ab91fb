import type { Node } from "../../protocol/api/node.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import type { Algorithm, SchedNode } from "../../domain/scheduler/types.ts";
import type { PlacementRow } from "./workload-store.ts";

/** Node records plus current allocations, in the scheduler's units (millicores, MiB). */
/** `replicas` are rows, one per replica, or per-node sums carrying their replica count `n`. */
export function schedNodes(nodes: readonly Pick<Node, "address" | "node_type" | "capabilities" | "labels" | "zone" | "status">[], replicas: readonly (Pick<PlacementRow, "node" | "cpu_millis" | "memory_mb" | "storage_gb"> & { n?: number })[], connections: Record<string, number> = {}): SchedNode[] {
  const alloc = new Map<string, { cpu_millis: number; memory_mb: number; storage_gb: number; n: number }>();
  for (const r of replicas) {
    if (!r.node) continue;
    const a = alloc.get(r.node) ?? { cpu_millis: 0, memory_mb: 0, storage_gb: 0, n: 0 };
    a.cpu_millis += r.cpu_millis;
    a.memory_mb += r.memory_mb;
    a.storage_gb += r.storage_gb;
    a.n += r.n ?? 1;
    alloc.set(r.node, a);
  }
  return nodes.map((n) => schedNode(n, alloc.get(n.address) ?? { cpu_millis: 0, memory_mb: 0, storage_gb: 0, n: 0 }, connections[n.address] ?? 0));
}

type NodeFields = Pick<Node, "address" | "node_type" | "capabilities" | "labels" | "zone" | "status">;

/** One node in the scheduler's units, with its allocated sums and replica count `n`. */
function schedNode(n: NodeFields, a: { cpu_millis: number; memory_mb: number; storage_gb: number; n: number }, connections: number): SchedNode {
  return {
    id: n.address,
    node_type: n.node_type,
    status: n.status,
    capabilities: schedCapabilities(n.capabilities),
    labels: n.labels,
    zone: n.zone ?? undefined,
    allocated: { cpu_millis: a.cpu_millis, memory_mb: a.memory_mb, storage_gb: a.storage_gb },
    replicas: a.n,
    connections,
  };
}

/** schedNodes of forPlacementAllocated()'s rows (each node with its sums), in their order. */
export function schedNodesAllocated(rows: readonly { node: NodeFields; cpu_millis: number; memory_mb: number; storage_gb: number; n: number }[]): SchedNode[] {
  return rows.map((r) => schedNode(r.node, r, 0));
}

/**
 * Capabilities in the scheduler's units, once per capabilities object: the node list shares one
 * parsed object per stored text (NodeRegistry), so every deploy after the first finds its 1,000
 * conversions here. Nothing writes to either object.
 */
const converted = new WeakMap<object, SchedNode["capabilities"]>();
function schedCapabilities(c: Node["capabilities"]): SchedNode["capabilities"] {
  let v = converted.get(c);
  if (!v) {
    const { cpu_cores, memory_gb, storage_gb, ...features } = c;
    v = { ...features, cpu_millis: Math.round(cpu_cores * 1000), memory_mb: Math.round(memory_gb * 1024), storage_gb };
    converted.set(c, v);
  }
  return v;
}

/** The seeds' algorithm names as the scheduler spells them. */
export const algorithmOf = (spec: WorkloadSpec, config: ClusterConfig): Algorithm =>
  (spec.load_balancing_algorithm ?? config.load_balancing_algorithm) as Algorithm;
