import { countTrueFeatures } from "./constraints.ts";
import type { ClusterView } from "./node-view.ts";

// Both are needed by one algorithm family each, and cost more than the rest of the view together
// (a for-in per node, a sort of the ids), so a single placement of another kind never pays for them.

export function trueFeatures(v: ClusterView): Int32Array {
  if (v.trueFeatures === null) v.trueFeatures = Int32Array.from(v.nodes, (n) => countTrueFeatures(n.capabilities));
  return v.trueFeatures;
}

export function idRanks(v: ClusterView): Int32Array {
  if (v.idRank === null) {
    const order = Array.from({ length: v.n }, (_, i) => i).sort((a, b) => (v.ids[a] < v.ids[b] ? -1 : 1));
    v.idRank = new Int32Array(v.n);
    order.forEach((i, rank) => (v.idRank![i] = rank));
    v.sortedIds = order.map((i) => v.ids[i]);
  }
  return v.idRank;
}

/** Number of node ids ≤ `id`: round robin goes on from the first node of at least this rank. */
export function rankAfter(v: ClusterView, id: string | undefined): number {
  idRanks(v);
  if (id === undefined) return 0;
  let lo = 0;
  let hi = v.sortedIds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v.sortedIds[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
