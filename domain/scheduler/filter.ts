import { capabilitiesMatch, compileConstraints, labelsMatch, type CompiledConstraints } from "./constraints.ts";
import type { ClusterView } from "./node-view.ts";
import type { PlacementRequest, RejectReason, ScheduleOptions } from "./types.ts";
import { conflictMask, type WorkloadIndex } from "./workload-index.ts";

// Index 1..4 are the node status codes of node-view.ts; the order is the order of the checks.
export const REASONS: readonly (RejectReason | "")[] = [
  "", "down", "cordoned", "draining", "pending", "node_type", "capability", "label", "zone", "node",
  "primary_secondary", "max_replicas", "cpu", "memory", "storage",
];

/** What the hard filter needs from a request, resolved once per placement. */
export interface FilterCtx {
  cc: CompiledConstraints;
  /** Capabilities, labels or zones to check; false lets the hot loop skip those lookups. */
  constrained: boolean;
  /** Per-node allowed flag for the zone constraint (null: any zone). */
  zoneOk: Uint8Array | null;
  conflict: number;
  maxReplicas: number;
  cpu: number;
  mem: number;
  sto: number;
}

export function filterCtx(v: ClusterView, req: PlacementRequest, opts: ScheduleOptions): FilterCtx {
  const cc = compileConstraints(req.constraints);
  const zoneOk = cc.zones === null ? null : Uint8Array.from(v.zones, (z) => (cc.zones!.has(z) && z !== "" ? 1 : 0));
  return {
    cc,
    constrained: cc.caps.length > 0 || cc.labels.length > 0 || zoneOk !== null || cc.nodes !== null,
    zoneOk,
    conflict: conflictMask(req.replicaType),
    maxReplicas: opts.maxReplicasPerNode ?? Infinity,
    cpu: req.resources.cpu_millis,
    mem: req.resources.memory_mb,
    sto: req.resources.storage_gb,
  };
}

/** Capability, label, zone and node constraints (the part of the filter allocations cannot change). */
export function constraintsOk(v: ClusterView, i: number, c: FilterCtx): boolean {
  return (
    capabilitiesMatch(v.nodes[i].capabilities, c.cc) &&
    labelsMatch(v.nodes[i].labels ?? {}, c.cc) &&
    (c.zoneOk === null || c.zoneOk[v.zoneIdx[i]] === 1) &&
    (c.cc.nodes === null || c.cc.nodes.has(v.ids[i]))
  );
}

/** Every reason node `i` cannot take the replica (empty when it can), for error messages. */
export function rejectReasons(v: ClusterView, w: WorkloadIndex, i: number, c: FilterCtx): RejectReason[] {
  const out: RejectReason[] = [];
  if (v.status[i] !== 0) out.push(REASONS[v.status[i]] as RejectReason);
  if (c.cc.nodeType !== undefined && v.nodeType[i] !== c.cc.nodeType) out.push("node_type");
  if (!capabilitiesMatch(v.nodes[i].capabilities, c.cc)) out.push("capability");
  if (!labelsMatch(v.nodes[i].labels ?? {}, c.cc)) out.push("label");
  if (c.zoneOk !== null && c.zoneOk[v.zoneIdx[i]] === 0) out.push("zone");
  if (c.cc.nodes !== null && !c.cc.nodes.has(v.ids[i])) out.push("node");
  if ((w.roleFlags[i] & c.conflict) !== 0) out.push("primary_secondary");
  if (v.replicas[i] >= c.maxReplicas) out.push("max_replicas");
  if (c.cpu > v.freeCpu[i]) out.push("cpu");
  if (c.mem > v.freeMem[i]) out.push("memory");
  if (c.sto > v.freeSto[i]) out.push("storage");
  return out;
}

const PHRASES: Record<RejectReason, [string, string]> = {
  down: ["down", "down"],
  cordoned: ["cordoned", "cordoned"],
  draining: ["draining", "draining"],
  pending: ["pending", "pending"],
  node_type: ["node is of another type", "nodes are of another type"],
  capability: ["node lacks a required capability", "nodes lack a required capability"],
  label: ["node lacks a required label", "nodes lack a required label"],
  zone: ["node is outside the allowed zones", "nodes are outside the allowed zones"],
  node: ["node is not among the named nodes", "nodes are not among the named nodes"],
  primary_secondary: ["node holds the other half of a primary/secondary pair", "nodes hold the other half of a primary/secondary pair"],
  max_replicas: ["node is at max replicas per node", "nodes are at max replicas per node"],
  cpu: ["node lacks cpu", "nodes lack cpu"],
  memory: ["node lacks memory", "nodes lack memory"],
  storage: ["node lacks storage", "nodes lack storage"],
};

/** "no node fits: 3 nodes lack memory, 1 down"; each node counted once, by its first reason. */
export function describeRejections(counts: Partial<Record<RejectReason, number>>): string {
  const parts: string[] = [];
  for (const r of REASONS) {
    const k = counts[r as RejectReason];
    if (r !== "" && k) parts.push(`${k} ${PHRASES[r][k === 1 ? 0 : 1]}`);
  }
  return parts.length === 0 ? "no node fits: the cluster has no nodes" : `no node fits: ${parts.join(", ")}`;
}
