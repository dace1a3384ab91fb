import { constraintsOk as constraintsOkImport, type FilterCtx } from "./filter.ts";
import type { ClusterView } from "./node-view.ts";
import { pairHash as pairHashImport } from "./rendezvous.ts";
import * as score from "./score.ts";
import type { WorkloadIndex } from "./workload-index.ts";

// Local bindings: some TS loaders turn imports into getter calls, which would run per node.
const constraintsOk = constraintsOkImport, pairHash = pairHashImport;
const resourceScore3 = score.resourceScore3, resourceBasedScore = score.resourceBasedScore;
const capabilityScore = score.capabilityScore, leastConnectionsScore = score.leastConnectionsScore;
const BINPACK = score.BINPACK;
export const RR = 3, WRR = 4, LC = 5, CH = 6;
const TWO_POW_M32 = 1 / 4294967296;

/** A placement's inputs to the scan and its running top N (filled by `scan`). */
export interface Scan {
  alg: number;
  c: FilterCtx;
  /** Rank of the first id after the round-robin cursor, and the id ranks (round robin only). */
  rrRank: number;
  idRank: Int32Array | null;
  /** The view's true-feature counts (resource_based only). */
  trueFeatures: Int32Array | null;
  keyState: number;
  hrw: Int32Array | null;
  wrr: Float64Array;
  tIdx: Int32Array;
  tPen: Float64Array;
  tSc: Float64Array;
  count: number;
  wTotal: number;
}

/**
 * One pass: penalty, score, hard filter (the tests of filter.ts's rejectReasons) and a top-N
 * insert, over typed arrays hoisted into locals. Scores are cheaper than the filter and only a
 * handful of nodes per placement can still enter the top N, so, except for weighted round robin
 * (whose weights must move for every eligible node), a node is first ranked and only a possible
 * winner is filtered: most nodes cost a penalty, a score and one comparison. Consistent hashing
 * goes further and dismisses a node on its hash alone, before the weight's logarithm.
 */
export function scan(v: ClusterView, wl: WorkloadIndex, s: Scan): void {
  const { n, status, nodeType, replicas, freeCpu, freeMem, freeSto } = v;
  const { invCpu, invMem, invSto, full, zoneIdx, ids, weight, connections } = v;
  const { nodeCount, roleFlags, zoneCount } = wl;
  const { c, alg, rrRank, idRank, trueFeatures, keyState, hrw, wrr, tIdx, tPen, tSc } = s;
  const wantType = c.cc.nodeType, constrained = c.constrained, conflict = c.conflict, maxR = c.maxReplicas;
  const rc = c.cpu, rm = c.mem, rs = c.sto, q = c.cc.requiredTrue, e1 = wl.total + 1, N = tIdx.length;
  const uniform = v.uniformWeight, checkMax = maxR < Infinity, isWRR = alg === WRR;
  const hasPen = e1 > 1; // a workload's first replica: every penalty is 0
  const wIdx = v.weightIdx, wVals = v.weightValues;
  const thr = alg === CH && !uniform && wVals.length <= 16 ? new Float64Array(wVals.length) : null;
  // The worst entry of a full top N, kept in locals so most nodes are dismissed without a store.
  let count = 0, wTotal = 0, wp = Infinity, ws = -Infinity, wid = "", thrWp = NaN, thrAge = 0;
  let wh = -1; // uniform hashing: the worst top-N score as its hash, so h < wh ⇔ score < ws
  for (let i = 0; i < n; i++) {
    let p = 0, sc = 0;
    if (!isWRR) {
      p = hasPen ? nodeCount[i] * e1 + zoneCount[zoneIdx[i]] : 0;
      if (p > wp) continue;
      if (alg <= BINPACK) {
        sc = full[i] === 1
          ? 0.6 * resourceScore3(1 - (freeCpu[i] - rc) * invCpu[i], 1 - (freeMem[i] - rm) * invMem[i], 1 - (freeSto[i] - rs) * invSto[i], alg) +
            0.4 * capabilityScore(trueFeatures![i], q)
          : resourceBasedScore(v, i, c, alg);
      } else if (alg === CH) {
        const h = pairHash(keyState, hrw![2 * i], hrw![2 * i + 1]);
        if (p === wp && h < (uniform ? wh : thr !== null ? thr[wIdx[i]] : -1)) continue;
        const u = (h + 0.5) * TWO_POW_M32;
        if (uniform) sc = u;
        else {
          const w = weight[i];
          if (thr === null && p === wp && w < ws * (w + 1 - u)) continue;
          sc = w / (w - Math.log(u));
        }
      } else if (alg === RR) {
        // 1 for the cursor's successor, falling by 1/n per step around the ring: no ties to break.
        const d = idRank![i] - rrRank;
        sc = 1 - (d < 0 ? d + n : d) / n;
      } else sc = leastConnectionsScore(connections[i], replicas[i]);
      if (p === wp && (sc < ws || (sc === ws && ids[i] > wid))) continue;
    }
    if (status[i] !== 0) continue;
    if (wantType !== undefined && nodeType[i] !== wantType) continue;
    if (constrained && !constraintsOk(v, i, c)) continue;
    if (conflict !== 0 && (roleFlags[i] & conflict) !== 0) continue;
    if (checkMax && replicas[i] >= maxR) continue;
    if (freeCpu[i] < rc || freeMem[i] < rm || freeSto[i] < rs) continue;
    if (isWRR) {
      sc = wrr[i] += weight[i];
      wTotal += weight[i];
      p = hasPen ? nodeCount[i] * e1 + zoneCount[zoneIdx[i]] : 0;
      if (p > wp || (p === wp && (sc < ws || (sc === ws && ids[i] > wid)))) continue;
    }
    insertTop(s, ids, i, p, sc, count);
    if (count < N) count++;
    if (count === N) {
      wp = tPen[N - 1];
      ws = tSc[N - 1];
      wid = ids[tIdx[N - 1]];
      if (uniform) wh = ws * 4294967296 - 0.5;
      // Within one penalty tier ws only rises, so thresholds from an older ws are merely loose:
      // refresh them on a new tier and otherwise every 4th change, not on each one.
      if (thr !== null && (wp !== thrWp || ++thrAge >= 4)) {
        hashThresholds(thr, wVals, ws);
        thrWp = wp;
        thrAge = 0;
      }
    }
  }
  s.count = count;
  s.wTotal = wTotal;
}

/** Insert into the sorted top N (lower penalty, then higher score, then lower id first). */
function insertTop(s: Scan, ids: string[], i: number, p: number, sc: number, count: number): void {
  const { tIdx, tPen, tSc } = s;
  const N = tIdx.length;
  let j = count < N ? count : N;
  while (j > 0) {
    const pj = tPen[j - 1], sj = tSc[j - 1];
    if (p < pj || (p === pj && (sc > sj || (sc === sj && ids[i] < ids[tIdx[j - 1]])))) {
      if (j < N) { tIdx[j] = tIdx[j - 1]; tPen[j] = pj; tSc[j] = sj; }
      j--;
    } else break;
  }
  if (j < N) { tIdx[j] = i; tPen[j] = p; tSc[j] = sc; }
}

/**
 * Weighted HRW scores w / (w − ln u) beat the top N's worst score ws only when
 * u > exp(−w (1 − ws) / ws). Per distinct weight that is a threshold on the 32-bit hash, so a node
 * is usually dismissed with one integer comparison. The thresholds sit a hair low (relative
 * 1e-9, minus one) so rounding can only let a node through to the exact test, never drop one.
 * Without the table, w / (w + 1 − u) ≥ score (as −ln u ≥ 1 − u) is the fallback bound.
 */
function hashThresholds(thr: Float64Array, weights: number[], ws: number): void {
  for (let d = 0; d < weights.length; d++) {
    thr[d] = ws > 0 ? Math.exp((-weights[d] * (1 - ws)) / ws) * 4294967296 * (1 - 1e-9) - 1 : 0;
  }
}
