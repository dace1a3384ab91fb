import type { ClusterView } from "./node-view.ts";
import type { ExistingReplica, ReplicaType } from "./types.ts";

export const HOSTS_PRIMARY = 1;
export const HOSTS_SECONDARY = 2;

/** Which role bits a node must not carry for a replica of this type to go there. */
export function conflictMask(type: ReplicaType): number {
  return type === "primary" ? HOSTS_SECONDARY : type === "secondary" ? HOSTS_PRIMARY : 0;
}

/**
 * Where one workload's replicas are, as dense per-node and per-zone counters for the hot loop.
 * Only one workload is loaded at a time; placeMany keeps each workload's replica list and reloads
 * on a switch, so a batch of one workload's replicas (a scale-up) never pays for a reload.
 */
export class WorkloadIndex {
  readonly nodeCount: Int32Array;
  readonly roleFlags: Uint8Array;
  readonly zoneCount: Int32Array;
  /** Replicas counted, including those on nodes the view does not know. */
  total = 0;
  workload: string | undefined;
  private touched: number[] = [];
  private seen = new Set<string>();
  private replicasByWorkload = new Map<string, ExistingReplica[]>();

  private readonly view: ClusterView;

  constructor(view: ClusterView) {
    this.view = view;
    this.nodeCount = new Int32Array(view.n);
    this.roleFlags = new Uint8Array(view.n);
    this.zoneCount = new Int32Array(Math.max(1, view.zones.length));
  }

  /** Make `workload` current and fold in the replicas the request knows about. */
  load(workload: string, existing: readonly ExistingReplica[]): void {
    if (this.workload !== workload) {
      for (const i of this.touched) {
        this.nodeCount[i] = 0;
        this.roleFlags[i] = 0;
      }
      this.zoneCount.fill(0);
      this.touched = [];
      this.seen = new Set();
      this.total = 0;
      this.workload = workload;
      for (const r of this.replicasByWorkload.get(workload) ?? []) this.count(r);
    }
    for (const r of existing) if (!this.seen.has(r.replicaId)) this.add(r);
  }

  /** Record a replica of the current workload (an existing one, or one just placed). */
  add(r: ExistingReplica): void {
    if (this.seen.has(r.replicaId)) return;
    const list = this.replicasByWorkload.get(this.workload!);
    if (list) list.push(r);
    else this.replicasByWorkload.set(this.workload!, [r]);
    this.count(r);
  }

  private count(r: ExistingReplica): void {
    this.seen.add(r.replicaId);
    this.total++;
    const i = this.view.index.get(r.nodeId);
    if (i === undefined) return;
    if (this.nodeCount[i] === 0 && this.roleFlags[i] === 0) this.touched.push(i);
    this.nodeCount[i]++;
    if (r.replicaType === "primary") this.roleFlags[i] |= HOSTS_PRIMARY;
    else if (r.replicaType === "secondary") this.roleFlags[i] |= HOSTS_SECONDARY;
    this.zoneCount[this.view.zoneIdx[i]]++;
  }
}
