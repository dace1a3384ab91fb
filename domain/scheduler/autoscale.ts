/**
 * Horizontal autoscaling on average CPU, as the Kubernetes HPA does it:
 *
 *     ratio = observedCPU / targetCPU
 *     raw   = current                          when |ratio − 1| ≤ tolerance (default 0.1)
 *           = ceil(current × ratio)            otherwise
 *
 * Scale-up applies `raw` at once. Scale-down is stabilized: each decision records its `raw`
 * recommendation, and the workload only shrinks to the highest recommendation of the last
 * `stabilizationMs` (default 300 s), so a brief dip does not kill replicas a spike needs again.
 * The result is clamped to [min, max]. Everything the decision used comes back in `inputs`, so
 * the caller can put it verbatim in the WorkloadScaled audit entry.
 */

export interface Recommendation {
  at: number;
  replicas: number;
}

export interface AutoscaleInput {
  current: number;
  min: number;
  max: number;
  /** Target average CPU utilization, percent of the requested CPU. */
  targetCPU: number;
  /** Observed average over ready replicas, percent; absent when no ready replica reported. */
  observedCPU?: number | null;
  /** Milliseconds; the caller's clock. */
  now: number;
  /** Recommendations from earlier decisions (the `history` of the previous result). */
  history?: readonly Recommendation[];
  tolerance?: number;
  stabilizationMs?: number;
}

/** `unchanged`: outside the tolerance, but the rounded recommendation is the current count. */
export type ScaleReason = "no_metrics" | "within_tolerance" | "unchanged" | "scale_up" | "scale_down" | "scale_down_stabilized";

export interface AutoscaleDecision {
  desired: number;
  changed: boolean;
  reason: ScaleReason;
  /** Set when the [min, max] bounds changed the result. */
  limitedBy?: "min" | "max";
  ratio: number | null;
  /** The recommendation before stabilization and bounds. */
  recommended: number;
  /** Recommendations to pass back next time (pruned to the stabilization window). */
  history: Recommendation[];
  inputs: Omit<Required<AutoscaleInput>, "history" | "observedCPU"> & { observedCPU: number | null };
}

export function decideScale(input: AutoscaleInput): AutoscaleDecision {
  const { current, min, max, targetCPU, now } = input;
  const tolerance = input.tolerance ?? 0.1;
  const stabilizationMs = input.stabilizationMs ?? 300_000;
  const observed = input.observedCPU ?? null;
  if (![current, min, max].every((x) => Number.isInteger(x) && x >= 0) || min > max) {
    throw new RangeError("current, min and max must be integers ≥ 0 with min ≤ max");
  }
  if (!(targetCPU > 0) || !Number.isFinite(now)) throw new RangeError("targetCPU must be > 0 and now finite");

  let ratio: number | null = null;
  let recommended = current;
  let reason: ScaleReason = "within_tolerance";
  if (observed === null || !Number.isFinite(observed) || current === 0) reason = "no_metrics";
  else {
    ratio = observed / targetCPU;
    // The epsilons keep float noise from deciding: 77 / 70 − 1 = 0.10000000000000009 is still
    // within a 10 % tolerance, and 10 × 77 / 70 = 11.000000000000002 is 11 replicas, not 12.
    if (Math.abs(ratio - 1) > tolerance + 1e-9) {
      recommended = Math.ceil(current * ratio - 1e-9);
      reason = "unchanged";
    }
  }

  const history = (input.history ?? []).filter((r) => r.at > now - stabilizationMs && r.at <= now);
  history.push({ at: now, replicas: recommended });
  let next = current;
  if (recommended > current) {
    next = recommended;
    reason = "scale_up";
  } else if (recommended < current) {
    const held = Math.max(...history.map((r) => r.replicas));
    next = Math.min(current, held);
    reason = next === recommended ? "scale_down" : "scale_down_stabilized";
  }
  const desired = Math.min(max, Math.max(min, next));
  const limitedBy = desired > next ? "min" : desired < next ? "max" : undefined;
  return {
    desired,
    changed: desired !== current,
    reason,
    ...(limitedBy ? { limitedBy } : {}),
    ratio,
    recommended,
    history,
    inputs: { current, min, max, targetCPU, observedCPU: observed, now, tolerance, stabilizationMs },
  };
}

/** The name the ClusterDO's brief uses. */
export const decide = decideScale;
