import { isoNow } from "../../protocol/time.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { reject } from "../../domain/result.ts";
import type { ClusterCtx } from "./context.ts";
import { addReplicas, placePending, wantedTypes } from "./workload-service.ts";

/**
 * A rolling update: the new spec becomes a new version and a full set of replicas for it is
 * created beside the old ones; old replicas are retired only as new ones of the same type are
 * running (and not failing their health check), so capacity never drops below what was asked.
 */
export function updateWorkload(ctx: ClusterCtx, actor: string, spec: WorkloadSpec) {
  const current = ctx.workloads.get(spec.name);
  if (!current) reject(404, `no workload ${spec.name}`, { field: "name" });
  const at = isoNow();
  const view = ctx.workloads.put(spec, actor, at);
  ctx.audit.append(ctx.cluster, "WorkloadUpdated", actor, spec.name, { from_version: current.version, version: view.version, spec });
  for (const [type, n] of wantedTypes(spec)) if (n > 0) addReplicas(ctx, actor, spec.name, type, n, at);
  placePending(ctx, actor);
  progressRollouts(ctx);
  ctx.meta.bumpVersion();
  return view;
}

/** Retires old-version replicas that new ready ones now cover. Returns true if any went. */
export function progressRollouts(ctx: ClusterCtx): boolean {
  let changed = false;
  for (const wl of ctx.workloads.list()) {
    const replicas = ctx.workloads.replicasOf(wl.spec.name);
    const old = replicas.filter((r) => r.spec_version < wl.version);
    if (old.length === 0) continue;
    for (const [type, wanted] of wantedTypes(wl.spec)) {
      const ready = replicas.filter((r) => r.spec_version === wl.version && r.replica_type === type && r.status === "running" && r.healthy !== 0).length;
      const oldOfType = old
        .filter((r) => r.replica_type === type)
        .sort((a, b) => Number(a.status === "running") - Number(b.status === "running") || a.id.localeCompare(b.id, "en", { numeric: true }));
      // Old replicas may stay only to cover what the new version does not yet serve.
      const keep = Math.max(0, wanted - ready);
      for (const r of oldOfType.slice(0, Math.max(0, oldOfType.length - keep))) {
        ctx.workloads.removeReplica(r.id);
        changed = true;
      }
    }
    if (changed && ctx.workloads.replicasOf(wl.spec.name).every((r) => r.spec_version === wl.version)) {
      ctx.audit.append(ctx.cluster, "WorkloadUpdated", "system", wl.spec.name, { version: wl.version, rollout: "complete" });
    }
  }
  if (changed) ctx.meta.bumpVersion();
  return changed;
}
