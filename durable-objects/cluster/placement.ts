import type { Node } from "../../protocol/api/node.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import type { Algorithm, SchedNode } from "../../domain/scheduler/types.ts";
import type { NodeAllocation } from "./node-registry.ts";

/**
 * forPlacementAllocated()'s rows (each node with its placed replicas summed) in the scheduler's
 * units (millicores, MiB), in their order, which breaks the engine's ties.
 */
export function schedNodes(rows: readonly NodeAllocation[]): SchedNode[] {
  return rows.map(({ node: n, cpu_millis, memory_mb, storage_gb, n: replicas }) => ({
    id: n.address,
    node_type: n.node_type,
    status: n.status,
    capabilities: schedCapabilities(n.capabilities),
    labels: n.labels,
    zone: n.zone ?? undefined,
    allocated: { cpu_millis, memory_mb, storage_gb },
    replicas,
    connections: 0,
  }));
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
