import type { FilterCtx } from "./filter.ts";
import { trueFeatures } from "./lazy-columns.ts";
import type { ClusterView } from "./node-view.ts";

export const BALANCED = 0;
export const SPREAD = 1;
export const BINPACK = 2;

/**
 * ResourceBased score of a node that passed the filter, in [0, 1]:
 *
 *     score = 0.6 × R + 0.4 × C
 *
 * Resource score R. For each resource r ∈ {cpu_millis, memory_mb, storage_gb} whose capacity
 * cap_r > 0, the utilization after placement is u_r = 1 − (free_r − requested_r) / cap_r, that is
 * (allocated_r + requested_r) / cap_r computed from the free capacity the filter already read
 * (resources a node has none of are left out; a node with none at all counts as full, ū = 1).
 * With ū the mean and Δ = max u_r − min u_r:
 * - `resource_based_spread`  R = 1 − ū            (least utilized wins: spread load out)
 * - `resource_based_binpack` R = ū                (most utilized wins: fill nodes, free others)
 * - `resource_based`         R = ½(1 − ū) + ½(1 − Δ)  (Kubernetes' default blend of
 *   LeastAllocated and BalancedAllocation: spread, but also keep a node's cpu, memory and
 *   storage used in proportion so none runs out while the others sit idle)
 *
 * Capability score C. A request that needs no special feature should not take room on a node
 * whose features others may need. With t the number of the node's capabilities whose value is
 * `true` and q the number the request requires to be `true` (the node has them all, else it was
 * filtered out), the node wastes t − q features and
 *
 *     C = 1 / (1 + t − q)
 *
 * so an exact match scores 1, one wasted feature ½, two ⅓.
 */
export function resourceBasedScore(v: ClusterView, i: number, c: FilterCtx, mode: number): number {
  const u: number[] = [];
  if (v.capCpu[i] > 0) u.push(1 - (v.freeCpu[i] - c.cpu) * v.invCpu[i]);
  if (v.capMem[i] > 0) u.push(1 - (v.freeMem[i] - c.mem) * v.invMem[i]);
  if (v.capSto[i] > 0) u.push(1 - (v.freeSto[i] - c.sto) * v.invSto[i]);
  const mean = u.length === 0 ? 1 : u.reduce((a, b) => a + b, 0) / u.length;
  const delta = u.length === 0 ? 0 : Math.max(...u) - Math.min(...u);
  return 0.6 * resourceScore(mean, delta, mode) + 0.4 * capabilityScore(trueFeatures(v)[i], c.cc.requiredTrue);
}

/** R from the mean utilization ū and the spread Δ (see resourceBasedScore). */
export function resourceScore(mean: number, delta: number, mode: number): number {
  return mode === SPREAD ? 1 - mean : mode === BINPACK ? mean : 0.5 * (1 - mean) + 0.5 * (1 - delta);
}

/** The hot-loop form for a node with all three capacities: utilizations already computed. */
export function resourceScore3(uc: number, um: number, us: number, mode: number): number {
  const mean = (uc + um + us) / 3;
  if (mode !== BALANCED) return mode === SPREAD ? 1 - mean : mean;
  // max − min of three values without data-dependent branches (they mispredict constantly).
  const delta = 0.5 * (Math.abs(uc - um) + Math.abs(um - us) + Math.abs(uc - us));
  return 1 - 0.5 * mean - 0.5 * delta;
}

/** C = 1 / (1 + t − q) for t true features on the node and q required ones. */
export function capabilityScore(trueFeatures: number, requiredTrue: number): number {
  const wasted = trueFeatures - requiredTrue;
  return wasted > 0 ? (wasted < 64 ? INV[wasted] : 1 / (1 + wasted)) : 1;
}
const INV = Float64Array.from({ length: 64 }, (_, w) => 1 / (1 + w));

/**
 * least_connections: fewer open connections is better; among equal connection counts fewer
 * replicas is better. Both are counts, so connections + replicas / 2^20 orders them
 * lexicographically (for fewer than 2^20 replicas per node), and 1 / (1 + that) maps it to (0, 1].
 */
export function leastConnectionsScore(connections: number, replicas: number): number {
  return 1 / (1 + connections + replicas / 1048576);
}
