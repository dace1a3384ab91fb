import { describeRejections, filterCtx, rejectReasons, type FilterCtx } from "./filter.ts";
import { idRanks, rankAfter, trueFeatures } from "./lazy-columns.ts";
import { buildView, type ClusterView } from "./node-view.ts";
import { keyState, nodeWords } from "./rendezvous.ts";
import { CH, LC, RR, scan, WRR, type Scan } from "./scan.ts";
import { BALANCED, BINPACK, SPREAD } from "./score.ts";
import type { Algorithm, NodeRejection, NodeScore, PlacementRequest, RejectReason, ScheduleOptions, SchedNode, SchedulerState } from "./types.ts";
import { WorkloadIndex } from "./workload-index.ts";

const ALG_CODE: Record<Algorithm, number> = {
  resource_based: BALANCED, resource_based_spread: SPREAD, resource_based_binpack: BINPACK,
  round_robin: RR, weighted_round_robin: WRR, least_connections: LC, consistent_hashing: CH,
};

export type Decision =
  | { ok: true; index: number; scores: NodeScore[] }
  | { ok: false; reason: string; rejections: NodeRejection[]; counts: Partial<Record<RejectReason, number>> };

/**
 * One pass over the nodes per placement: hard filter, the algorithm's score, the soft-preference
 * penalty, and a running top-N, with no sort. Candidates are ordered by
 *   1. penalty, lower first: p = k_node × (E + 1) + k_zone, where k_node / k_zone count the
 *      workload's replicas on the node / in its zone and E all of them. k_zone ≤ E, so anti-affinity
 *      (distinct nodes) strictly outranks zone spread, which strictly outranks the score;
 *   2. score, higher first;
 *   3. node id, ascending.
 */
export class PlacementEngine {
  readonly view: ClusterView;
  private readonly wl: WorkloadIndex;
  private rrCursor: string | undefined;
  private readonly wrr: Float64Array;
  private hrw: Int32Array | null = null;
  // The running top N, reused across placements (scores are copied out before returning).
  private readonly tIdx: Int32Array;
  private readonly tPen: Float64Array;
  private readonly tSc: Float64Array;

  private readonly opts: ScheduleOptions;

  constructor(nodes: readonly SchedNode[], state: SchedulerState, opts: ScheduleOptions) {
    this.opts = opts;
    this.view = buildView(nodes);
    this.wl = new WorkloadIndex(this.view);
    this.rrCursor = state.roundRobinCursor;
    this.wrr = Float64Array.from(this.view.ids, (id) => state.weightedCurrent?.[id] ?? 0);
    const topN = Math.max(1, opts.topN ?? 3);
    this.tIdx = new Int32Array(topN);
    this.tPen = new Float64Array(topN);
    this.tSc = new Float64Array(topN);
  }

  /** Choose a node; advances round-robin state but does not commit the allocation. */
  decide(req: PlacementRequest): Decision {
    const { cpu_millis, memory_mb, storage_gb } = req.resources;
    if (!(cpu_millis >= 0 && memory_mb >= 0 && storage_gb >= 0 && cpu_millis + memory_mb + storage_gb < Infinity)) {
      throw new RangeError(`replica ${req.replicaId}: resources must be finite and ≥ 0`);
    }
    const alg = ALG_CODE[req.algorithm ?? this.opts.algorithm ?? "resource_based"];
    if (alg === undefined) throw new RangeError(`unknown algorithm ${req.algorithm ?? this.opts.algorithm}`);
    const v = this.view, wl = this.wl;
    wl.load(req.workload, req.existing);
    const c = filterCtx(v, req, this.opts);
    const sc: Scan = {
      alg, c, wrr: this.wrr, count: 0, wTotal: 0,
      rrRank: alg === RR ? rankAfter(v, this.rrCursor) : 0,
      idRank: alg === RR ? idRanks(v) : null,
      trueFeatures: alg <= BINPACK ? trueFeatures(v) : null,
      keyState: alg === CH ? keyState(req.workload, req.replicaId) : 0,
      hrw: alg === CH ? this.hrwWords() : null,
      tIdx: this.tIdx, tPen: this.tPen, tSc: this.tSc,
    };
    scan(v, wl, sc);
    const { count, tIdx, tPen, tSc } = sc;
    if (count === 0) return this.explain(c);
    const best = tIdx[0];
    if (alg === RR) this.rrCursor = v.ids[best];
    if (alg === WRR) this.wrr[best] -= sc.wTotal;
    const scores: NodeScore[] = [];
    for (let k = 0; k < count; k++) scores.push({ nodeId: v.ids[tIdx[k]], score: tSc[k], penalty: tPen[k] });
    return { ok: true, index: best, scores };
  }

  /** Bind the replica to node `index`: its resources and its place in the workload's spread. */
  commit(req: PlacementRequest, index: number): void {
    const v = this.view;
    const { cpu_millis, memory_mb, storage_gb } = req.resources;
    v.allocCpu[index] += cpu_millis;
    v.allocMem[index] += memory_mb;
    v.allocSto[index] += storage_gb;
    v.freeCpu[index] -= cpu_millis;
    v.freeMem[index] -= memory_mb;
    v.freeSto[index] -= storage_gb;
    v.replicas[index] += 1;
    this.wl.load(req.workload, req.existing);
    this.wl.add({ nodeId: v.ids[index], replicaType: req.replicaType, replicaId: req.replicaId });
  }

  state(): SchedulerState {
    const out: SchedulerState = {};
    if (this.rrCursor !== undefined) out.roundRobinCursor = this.rrCursor;
    const cur: Record<string, number> = {};
    let any = false;
    this.wrr.forEach((x, i) => { if (x !== 0) { cur[this.view.ids[i]] = x; any = true; } });
    if (any) out.weightedCurrent = cur;
    return out;
  }

  private hrwWords(): Int32Array {
    if (this.hrw === null) {
      const h = new Int32Array(2 * this.view.n);
      this.view.ids.forEach((id, i) => { const [a, b] = nodeWords(id); h[2 * i] = a; h[2 * i + 1] = b; });
      this.hrw = h;
    }
    return this.hrw;
  }

  private explain(c: FilterCtx): Decision {
    const rejections: NodeRejection[] = [];
    const counts: Partial<Record<RejectReason, number>> = {};
    for (let i = 0; i < this.view.n; i++) {
      const reasons = rejectReasons(this.view, this.wl, i, c);
      rejections.push({ nodeId: this.view.ids[i], reasons });
      counts[reasons[0]] = (counts[reasons[0]] ?? 0) + 1;
    }
    return { ok: false, reason: describeRejections(counts), rejections, counts };
  }
}
