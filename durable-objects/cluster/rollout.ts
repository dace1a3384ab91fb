import { isoNow } from "../../protocol/time.ts";
import type { RolloutState, RolloutView, WorkloadSpec, WorkloadVersion } from "../../protocol/api/workload.ts";
import { containerHash } from "../../protocol/replica-identity.ts";
import { reject } from "../../domain/result.ts";
import { DEFAULT_ROLLOUT, isReady, planRollout, type PlanReplica } from "../../domain/rollout/plan.ts";
import { DRAIN_MS } from "../../domain/rollout/drain.ts";
import type { ClusterCtx } from "./context.ts";
import type { ReplicaRow } from "./workload-store.ts";
import { addReplicas, checkNamedNodes, finishDeletes, placePending, wantedTypes } from "./workload-service.ts";

const needsHealth = (spec: WorkloadSpec) => !!(spec.health_check?.http_path || spec.health_check?.command?.length);
const paramsOf = (spec: WorkloadSpec) => {
  const r = { ...DEFAULT_ROLLOUT, ...spec.rollout };
  return { maxSurge: r.max_surge, maxUnavailable: r.max_unavailable, progressDeadlineMs: r.progress_deadline_s * 1000, needsHealth: needsHealth(spec) };
};

/**
 * Takes replicas out of service: the gateway stops choosing them at once (serviceTargets skips
 * retiring ones), their agents stop them once DRAIN_MS has passed (reapRetired). One that serves
 * nothing yet (unplaced, not running) goes at once.
 */
export function retireReplicas(ctx: ClusterCtx, ids: string[], now: number): void {
  const at = isoNow();
  for (const id of ids) {
    const r = ctx.workloads.replica(id);
    if (!r || r.retire_at != null) continue;
    if (!r.node || r.status !== "running") {
      ctx.workloads.removeReplica(id);
      ctx.meta.bumpVersion();
    } else {
      ctx.workloads.updateReplica(id, { retire_at: now + DRAIN_MS }, at);
    }
  }
}

/** Removes the replicas whose drain is over (their agents then stop them). */
export function reapRetired(ctx: ClusterCtx, now: number): boolean {
  const gone = ctx.workloads.retiredBy(now);
  for (const r of gone) {
    // An `enc rm` replica whose agent never said it stopped (node down or silent): dropped anyway, said so.
    if (r.stopping) ctx.audit.append(ctx.cluster, "ReplicaStopUnconfirmed", "system", r.id, { workload: r.workload, node: r.node, reason: `${r.node ?? "its node"} did not report ${r.id} stopped within its grace period; dropped` });
    ctx.workloads.removeReplica(r.id);
  }
  if (gone.length) ctx.meta.bumpVersion();
  finishDeletes(ctx);
  return gone.length > 0;
}

/** Top-level spec fields that differ between two versions (what `enc deploy` prints). */
export function changedFields(a: WorkloadSpec | undefined, b: WorkloadSpec): string[] {
  if (!a) return Object.keys(b).sort();
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k])).sort();
}

/**
 * An update: the spec becomes a new version. Replicas whose container would be the same under it
 * are moved to it in place (their agents keep the containers); if others remain, a rollout
 * replaces them step by step (planRollout). Counts that changed are applied like a scale.
 */
export function updateWorkload(ctx: ClusterCtx, actor: string, spec: WorkloadSpec, cause = "update", checkNodes = true) {
  const current = ctx.workloads.get(spec.name);
  if (!current) reject(404, `no workload ${spec.name}`, { field: "name" });
  if (checkNodes) checkNamedNodes(ctx, spec.constraints?.nodes);
  const at = isoNow();
  const now = Date.now();
  const changed = changedFields(current.spec, spec);
  // A PUT of the spec it already has is idempotent (like `kubectl apply` of an unchanged object):
  // no new version, no audit entry, no rollout. Undo and pipelines pass their own cause and always
  // record their step.
  if (changed.length === 0 && cause === "update") return { workload: current, changed };
  const view = ctx.workloads.put(spec, actor, at, cause);
  ctx.audit.append(ctx.cluster, "WorkloadUpdated", actor, spec.name, { from_version: current.version, version: view.version, cause, changed, spec });
  const target = containerHash(spec);
  const hashes = new Map<number, string>();
  const hashOf = (v: number) => hashes.get(v) ?? hashes.set(v, containerHash(ctx.workloads.specFor(spec.name, v) ?? spec)).get(v)!;
  for (const r of ctx.workloads.liveReplicasOf(spec.name)) {
    if (r.spec_version !== view.version && hashOf(r.spec_version) === target) ctx.workloads.updateReplica(r.id, { spec_version: view.version }, at);
  }
  const live = ctx.workloads.liveReplicasOf(spec.name);
  if (live.some((r) => r.spec_version !== view.version)) {
    ctx.workloads.setRollout(spec.name, { status: "progressing", from_version: current.version, to_version: view.version, started_at: at, updated_at: at });
  } else {
    syncCounts(ctx, actor, spec.name, now, at);
    const prev = ctx.workloads.rollout(spec.name);
    if (prev && prev.status !== "complete") ctx.workloads.setRollout(spec.name, { ...prev, status: "complete", to_version: view.version, updated_at: at, reason: undefined });
  }
  progressRollouts(ctx, now);
  placePending(ctx, actor);
  ctx.meta.bumpVersion();
  return { workload: ctx.workloads.get(spec.name)!, changed };
}

/** Adds or retires replicas of each type to match the spec (outside a rollout). */
function syncCounts(ctx: ClusterCtx, actor: string, name: string, now: number, at: string): void {
  const wl = ctx.workloads.get(name)!;
  const live = ctx.workloads.liveReplicasOf(name);
  for (const [type, want] of wantedTypes(wl.spec)) {
    const mine = live.filter((r) => r.replica_type === type);
    if (mine.length < want) addReplicas(ctx, actor, name, type, want - mine.length, at);
    else if (mine.length > want) retireReplicas(ctx, surplus(mine, mine.length - want), now);
  }
}

/** The `n` replicas to give up first: not running before running, then the highest index. */
export const surplus = (rs: ReplicaRow[], n: number): string[] =>
  [...rs]
    .sort((a, b) => Number(a.status === "running") - Number(b.status === "running") || b.id.localeCompare(a.id, "en", { numeric: true }))
    .slice(0, Math.max(0, n))
    .map((r) => r.id);

const toPlan = (r: ReplicaRow): PlanReplica => ({
  id: r.id,
  type: r.replica_type,
  version: r.spec_version,
  status: r.status,
  healthy: r.healthy == null ? null : r.healthy === 1,
  reason: r.reason,
  createdMs: Date.parse(r.created_at),
});

/** One step of every rollout in progress. Returns true if the desired state changed. */
export function progressRollouts(ctx: ClusterCtx, now = Date.now()): boolean {
  const before = ctx.meta.desiredVersion();
  const deleting = new Set(ctx.workloads.deletingNames());
  for (const wl of ctx.workloads.list()) {
    if (deleting.has(wl.spec.name)) continue;
    const state = ctx.workloads.rollout(wl.spec.name);
    if (!state || state.status !== "progressing") continue;
    const replicas = ctx.workloads.liveReplicasOf(wl.spec.name);
    const actions = planRollout({ version: wl.version, wanted: wantedTypes(wl.spec), replicas: replicas.map(toPlan), state, params: paramsOf(wl.spec), now });
    const at = isoNow();
    for (const a of actions) {
      if (a.kind === "create") {
        addReplicas(ctx, "system", wl.spec.name, a.type as ReplicaRow["replica_type"], a.count, at);
        ctx.meta.bumpVersion();
      } else if (a.kind === "retire") {
        retireReplicas(ctx, a.ids, now);
      } else if (a.kind === "halt") {
        retireReplicas(ctx, a.retire, now);
        ctx.workloads.setRollout(wl.spec.name, { ...state, status: "halted", reason: a.reason, updated_at: at });
        ctx.audit.append(ctx.cluster, "RolloutHalted", "system", wl.spec.name, { version: wl.version, from_version: state.from_version, reason: a.reason });
      } else {
        ctx.workloads.setRollout(wl.spec.name, { ...state, status: "complete", updated_at: at });
        ctx.audit.append(ctx.cluster, "RolloutCompleted", "system", wl.spec.name, { version: wl.version, from_version: state.from_version });
      }
    }
  }
  if (ctx.meta.desiredVersion() !== before) placePending(ctx, "system");
  return ctx.meta.desiredVersion() !== before;
}

export function rolloutStatus(ctx: ClusterCtx, name: string): RolloutView {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const health = needsHealth(wl.spec);
  const byVersion = new Map<number, { total: number; ready: number }>();
  for (const r of ctx.workloads.liveReplicasOf(name)) {
    const v = byVersion.get(r.spec_version) ?? { total: 0, ready: 0 };
    v.total++;
    if (isReady(toPlan(r), health)) v.ready++;
    byVersion.set(r.spec_version, v);
  }
  const replicas = [...byVersion].sort((a, b) => b[0] - a[0]).map(([version, c]) => ({ version, ...c }));
  return { workload: name, version: wl.version, rollout: ctx.workloads.rollout(name), replicas };
}

export function rolloutHistory(ctx: ClusterCtx, name: string): WorkloadVersion[] {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const versions = ctx.workloads.versions(name);
  return versions.map((v, i) => ({
    version: v.version,
    created_at: v.created_at,
    created_by: v.created_by,
    cause: v.cause,
    image: v.spec.image,
    changed: i === 0 ? [] : changedFields(versions[i - 1].spec, v.spec),
    current: v.version === wl.version,
  }));
}

/**
 * Back to an earlier version's containers (the previous version by default): its spec becomes a
 * new version, with today's replica counts and autoscaling kept, as `kubectl rollout undo` does.
 */
export function undoRollout(ctx: ClusterCtx, actor: string, name: string, toVersion?: number) {
  const { wl, target, spec } = undoTarget(ctx, name, toVersion);
  const res = updateWorkload(ctx, actor, spec, `undo to version ${target}`);
  ctx.audit.append(ctx.cluster, "RolloutUndone", actor, name, { from_version: wl.version, to_version: target, version: res.workload.version });
  return res;
}

/** The spec an undo would apply (the target version's container, today's counts), so policies and the security level can judge it first. */
export function undoTarget(ctx: ClusterCtx, name: string, toVersion?: number) {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const versions = ctx.workloads.versions(name);
  const target = toVersion ?? [...versions].reverse().find((v) => v.version < wl.version && containerHash(v.spec) !== containerHash(wl.spec))?.version;
  if (target === undefined) reject(409, `workload ${name} has no earlier version to go back to`, { field: "to_version" });
  const old = versions.find((v) => v.version === target);
  if (!old) reject(404, `workload ${name} has no version ${target}`, { field: "to_version" });
  if (target === wl.version) reject(409, `version ${target} is already the current one`, { field: "to_version" });
  const spec: WorkloadSpec = {
    ...old.spec,
    replicas: wl.spec.replicas,
    secondaries: wl.spec.secondaries,
    read_only_replicas: wl.spec.read_only_replicas,
    load_balancer_replicas: wl.spec.load_balancer_replicas,
    autoScaling: wl.spec.autoScaling,
  };
  return { wl, target, spec };
}

/** Every replica replaced by a fresh one, one step at a time (the spec is unchanged). */
export function restartRollout(ctx: ClusterCtx, actor: string, name: string) {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const at = isoNow();
  const view = ctx.workloads.put(wl.spec, actor, at, "restart");
  ctx.workloads.setRollout(name, { status: "progressing", from_version: wl.version, to_version: view.version, started_at: at, updated_at: at });
  ctx.audit.append(ctx.cluster, "RolloutRestarted", actor, name, { from_version: wl.version, version: view.version });
  progressRollouts(ctx, Date.now());
  ctx.meta.bumpVersion();
  return { workload: view, changed: [] as string[] };
}

/** pause: no further steps; resume: on again (a halted rollout is retried, its deadline afresh). */
export function setRolloutPaused(ctx: ClusterCtx, actor: string, name: string, paused: boolean): RolloutState {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const state = ctx.workloads.rollout(name);
  const at = isoNow();
  if (paused) {
    if (!state || state.status !== "progressing") reject(409, `workload ${name} has no rollout in progress to pause`, { field: "name" });
    const next: RolloutState = { ...state, status: "paused", reason: `paused by ${actor}`, updated_at: at };
    ctx.workloads.setRollout(name, next);
    ctx.audit.append(ctx.cluster, "RolloutPaused", actor, name, { version: wl.version });
    return next;
  }
  if (!state || (state.status !== "paused" && state.status !== "halted")) reject(409, `workload ${name} has no paused or halted rollout to resume`, { field: "name" });
  const next: RolloutState = { ...state, status: "progressing", reason: undefined, updated_at: at, clock_ms: Date.now() };
  ctx.workloads.setRollout(name, next);
  ctx.audit.append(ctx.cluster, "RolloutResumed", actor, name, { version: wl.version, was: state.status });
  progressRollouts(ctx, Date.now());
  return ctx.workloads.rollout(name)!;
}
