import { isoNow } from "../../protocol/time.ts";
import { reject } from "../../domain/result.ts";
import { decideScale, type Recommendation } from "../../domain/scheduler/autoscale.ts";
import type { ClusterCtx } from "./context.ts";
import { placePending, reserveReplicas } from "./workload-service.ts";
import { retireReplicas, surplus } from "./rollout.ts";

/**
 * Sets the number of primaries. Growing adds replicas and touches no running one; shrinking
 * retires the surplus only (not running first, then the highest index), each drained from the
 * gateway before its agent stops it.
 */
export function scaleWorkload(ctx: ClusterCtx, actor: string, name: string, replicas: number, details: Record<string, unknown> = {}): number {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const primaries = ctx.workloads.liveReplicasOf(name).filter((r) => r.replica_type === "primary");
  const from = primaries.length;
  if (replicas === from && wl.spec.replicas === replicas) return from;
  const at = isoNow();
  ctx.workloads.setReplicaCount(name, replicas);
  // New rows are stored by the placement pass below, already placed (nothing reads them before).
  const fresh = replicas > from ? [reserveReplicas(ctx, actor, name, "primary", replicas - from, at)] : [];
  // During a rollout the old version's replicas go first: the rollout would replace them anyway.
  const oldFirst = [...primaries].filter((r) => r.spec_version !== wl.version);
  const victims = surplus(oldFirst, from - replicas);
  victims.push(...surplus(primaries.filter((r) => r.spec_version === wl.version), from - replicas - victims.length));
  retireReplicas(ctx, victims, Date.now());
  ctx.audit.append(ctx.cluster, "WorkloadScaled", actor, name, { from, to: replicas, ...details });
  placePending(ctx, actor, fresh);
  ctx.meta.bumpVersion();
  return replicas;
}

/**
 * One autoscaling pass: for each workload with autoScaling, the HPA rule over the CPU its
 * agents report (10 % tolerance, 300 s scale-down stabilization); changes audited with inputs.
 */
export function autoscale(ctx: ClusterCtx, now: number): boolean {
  if (!ctx.config.auto_scaling_enabled) return false;
  let changed = false;
  const deleting = new Set(ctx.workloads.deletingNames());
  for (const wl of ctx.workloads.list()) {
    const as = wl.spec.autoScaling;
    if (!as?.enabled || deleting.has(wl.spec.name)) continue;
    const primaries = ctx.workloads.liveReplicasOf(wl.spec.name).filter((r) => r.replica_type === "primary");
    const reporting = primaries.filter((r) => r.status === "running" && r.cpu_percent != null);
    const observed = reporting.length ? reporting.reduce((n, r) => n + r.cpu_percent!, 0) / reporting.length : null;
    const history: Recommendation[] = ctx.workloads.scaleHistory(wl.spec.name);
    const d = decideScale({ current: primaries.length, min: as.minReplicas, max: as.maxReplicas, targetCPU: as.targetCPU, observedCPU: observed, now, history });
    ctx.workloads.setScaleHistory(wl.spec.name, d.history);
    if (!d.changed) continue;
    scaleWorkload(ctx, "system", wl.spec.name, d.desired, { reason: d.reason, ratio: d.ratio, recommended: d.recommended, inputs: d.inputs, reporting: reporting.length });
    changed = true;
  }
  return changed;
}
