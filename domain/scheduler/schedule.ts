import { PlacementEngine, type Decision } from "./engine.ts";
import { exportNodes } from "./node-view.ts";
import type { NodeScore, PlacementRequest, PlaceResult, ScheduleOptions, SchedNode, SchedulerState } from "./types.ts";

/**
 * Choose a node for one replica. Pure: `nodes` and `state` are not modified; the returned state
 * (round-robin cursor, weighted-round-robin weights) replaces the one passed in once the caller
 * commits the placement. Throws RangeError on negative / non-finite resources or an unknown
 * algorithm; every other "no" is an `ok: false` result naming each node's reasons.
 */
export function place(
  request: PlacementRequest,
  nodes: readonly SchedNode[],
  state: SchedulerState = {},
  opts: ScheduleOptions = {},
): PlaceResult {
  const engine = new PlacementEngine(nodes, state, opts);
  return withState(engine, engine.decide(request));
}

export type PlacementOutcome = { workload: string; replicaId: string } & (
  | { ok: true; nodeId: string; scores: NodeScore[] }
  | Extract<Decision, { ok: false }>
);

export interface PlaceManyResult {
  outcomes: PlacementOutcome[];
  placed: number;
  failed: number;
  /** The input nodes with the placed replicas added to `allocated` and `replicas`. */
  nodes: SchedNode[];
  state: SchedulerState;
}

/**
 * Place requests in order, committing each placement before the next, so later replicas see the
 * earlier ones' allocations and, within a workload, their nodes (anti-affinity, zone spread and
 * primary/secondary separation hold inside the batch). A workload's known replicas are the union,
 * by replicaId, of the `existing` lists of its requests plus those placed so far. A request that
 * fits nowhere is reported and skipped; the rest go on.
 */
export function placeMany(
  requests: readonly PlacementRequest[],
  nodes: readonly SchedNode[],
  state: SchedulerState = {},
  opts: ScheduleOptions = {},
): PlaceManyResult {
  const engine = new PlacementEngine(nodes, state, opts);
  const outcomes: PlacementOutcome[] = [];
  let placed = 0;
  for (const req of requests) {
    const d = engine.decide(req);
    const { workload, replicaId } = req;
    // Literal objects, not spreads: spreading costs more than the whole decision on small clusters.
    if (d.ok) {
      engine.commit(req, d.index);
      placed++;
      outcomes.push({ workload, replicaId, ok: true, nodeId: engine.view.ids[d.index], scores: d.scores });
    } else {
      outcomes.push({ workload, replicaId, ok: false, reason: d.reason, rejections: d.rejections, counts: d.counts });
    }
  }
  // The nodes are exported when first read: the ClusterDO keeps only the outcomes, and copying
  // 1,000 nodes (a spread each) cost it about a millisecond a deploy. Nothing changes the view now.
  const view = engine.view;
  let exported: SchedNode[] | undefined;
  return {
    outcomes,
    placed,
    failed: requests.length - placed,
    get nodes() {
      return (exported ??= exportNodes(view));
    },
    state: engine.state(),
  };
}

function withState(engine: PlacementEngine, d: Decision): PlaceResult {
  const state = engine.state();
  return d.ok ? { ok: true, nodeId: engine.view.ids[d.index], scores: d.scores, state } : { ...d, state };
}
