import type { NodeStatus, SchedNode } from "./types.ts";

// Status codes; 0 means schedulable. The order matches RejectReason so codes map to reasons.
export const STATUS_CODES: Record<NodeStatus, number> = { ready: 0, down: 1, cordoned: 2, draining: 3, pending: 4 };

/**
 * The cluster as flat typed arrays (struct of arrays). A placement touches every node, and
 * reading numbers from typed arrays by index is several times faster than chasing object
 * properties, which is what keeps 1,000-node clusters well above 20,000 placements/s.
 * Allocation columns are mutable: placeMany commits into them as it goes.
 */
export interface ClusterView {
  n: number;
  nodes: readonly SchedNode[];
  ids: string[];
  index: Map<string, number>;
  status: Uint8Array;
  nodeType: string[];
  /** Index into `zones`; nodes without a zone share the zone "". */
  zoneIdx: Int32Array;
  zones: string[];
  weight: Float64Array;
  /** True when every weight is 1, so weighted algorithms can skip the weighting. */
  uniformWeight: boolean;
  /** Index of the node's weight in `weightValues` (the distinct weights). */
  weightIdx: Int32Array;
  weightValues: number[];
  capCpu: Float64Array;
  capMem: Float64Array;
  capSto: Float64Array;
  /** 1 / capacity; lets the hot loop multiply where it would divide. */
  invCpu: Float64Array;
  invMem: Float64Array;
  invSto: Float64Array;
  /** 1 when all three capacities are > 0 (the common case the hot loop handles inline). */
  full: Uint8Array;
  allocCpu: Float64Array;
  allocMem: Float64Array;
  allocSto: Float64Array;
  /** capacity − allocated, kept in step with alloc*: the filter reads only these. */
  freeCpu: Float64Array;
  freeMem: Float64Array;
  freeSto: Float64Array;
  replicas: Float64Array;
  connections: Float64Array;
  /** Count of `true` capabilities per node; filled on the first resource_based placement. */
  trueFeatures: Int32Array | null;
  /** Ascending position of each id; filled on the first round_robin placement. */
  idRank: Int32Array | null;
  sortedIds: string[];
}

export function buildView(nodes: readonly SchedNode[]): ClusterView {
  const n = nodes.length;
  const f64 = () => new Float64Array(n);
  const v: ClusterView = {
    n, nodes, ids: new Array<string>(n), index: new Map(), status: new Uint8Array(n),
    nodeType: new Array<string>(n), zoneIdx: new Int32Array(n), zones: [], weight: f64(),
    uniformWeight: true, weightIdx: new Int32Array(n), weightValues: [], capCpu: f64(), capMem: f64(), capSto: f64(), invCpu: f64(),
    invMem: f64(), invSto: f64(), full: new Uint8Array(n), allocCpu: f64(),
    allocMem: f64(), allocSto: f64(), freeCpu: f64(), freeMem: f64(), freeSto: f64(), replicas: f64(), connections: f64(),
    trueFeatures: null, idRank: null, sortedIds: [],
  };
  const zoneIndex = new Map<string, number>();
  const weightIndex = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    v.ids[i] = node.id;
    v.index.set(node.id, i);
    if (v.index.size !== i + 1) throw new Error(`duplicate node id ${node.id}`);
    v.status[i] = statusCode(node.status);
    v.nodeType[i] = node.node_type;
    const zone = node.zone ?? "";
    let z = zoneIndex.get(zone);
    if (z === undefined) zoneIndex.set(zone, (z = v.zones.push(zone) - 1));
    v.zoneIdx[i] = z;
    const w = node.weight ?? 1;
    v.weight[i] = w > 0 && w < Infinity ? w : 0;
    if (v.weight[i] !== 1) v.uniformWeight = false;
    let wi = weightIndex.get(v.weight[i]);
    if (wi === undefined) weightIndex.set(v.weight[i], (wi = v.weightValues.push(v.weight[i]) - 1));
    v.weightIdx[i] = wi;
    const caps = node.capabilities;
    // A size that is missing or not a number counts as 0: nothing fits, rather than NaN, which
    // fails every comparison and would let anything through.
    v.capCpu[i] = size(caps.cpu_millis);
    v.capMem[i] = size(caps.memory_mb);
    v.capSto[i] = size(caps.storage_gb);
    v.invCpu[i] = 1 / v.capCpu[i];
    v.invMem[i] = 1 / v.capMem[i];
    v.invSto[i] = 1 / v.capSto[i];
    v.full[i] = v.capCpu[i] > 0 && v.capMem[i] > 0 && v.capSto[i] > 0 ? 1 : 0;
    v.allocCpu[i] = size(node.allocated?.cpu_millis);
    v.allocMem[i] = size(node.allocated?.memory_mb);
    v.allocSto[i] = size(node.allocated?.storage_gb);
    v.freeCpu[i] = v.capCpu[i] - v.allocCpu[i];
    v.freeMem[i] = v.capMem[i] - v.allocMem[i];
    v.freeSto[i] = v.capSto[i] - v.allocSto[i];
    v.replicas[i] = size(node.replicas);
    v.connections[i] = size(node.connections);
  }
  return v;
}

function statusCode(s: string): number {
  switch (s) {
    case "ready": return 0;
    case "cordoned": return STATUS_CODES.cordoned;
    case "draining": return STATUS_CODES.draining;
    case "pending": return STATUS_CODES.pending;
    default: return STATUS_CODES.down; // down, or a status this code does not know: never place
  }
}

const size = (x: unknown): number => (typeof x === "number" && x >= 0 && x < Infinity ? x : 0);

/** The input nodes with the view's allocation columns written back (new objects). */
export function exportNodes(v: ClusterView): SchedNode[] {
  return v.nodes.map((node, i) => ({
    ...node,
    allocated: { cpu_millis: v.allocCpu[i], memory_mb: v.allocMem[i], storage_gb: v.allocSto[i] },
    replicas: v.replicas[i],
  }));
}
