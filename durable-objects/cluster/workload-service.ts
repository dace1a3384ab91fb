import { isoNow } from "../../protocol/time.ts";
import type { AgentEvent, ContainerReport } from "../../protocol/api/agent.ts";
import type { Replica } from "../../protocol/api/workload.ts";
import { toReplica } from "./workload-store.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { reject } from "../../domain/result.ts";
import { algorithmOf, schedNodes } from "./placement.ts";
import { placeMany } from "../../domain/scheduler/schedule.ts";
import type { ExistingReplica, PlacementRequest, ReplicaType } from "../../domain/scheduler/types.ts";
import type { ClusterCtx } from "./context.ts";
import type { Role } from "../../protocol/api/common.ts";
import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import { satisfies } from "./roles.ts";
import { consensusOn, placeByConsensus } from "./consensus.ts";

/**
 * Why `spec` weakens the cage beyond what `role` may ask for in a cluster with `config`, or
 * undefined. Host network shares the node's stack (its loopback services included): it needs the
 * admin role and a cluster that opted in.
 */
export function cageViolation(spec: WorkloadSpec, role: Role | undefined, config: Partial<ClusterConfig>): { field: string; detail: string } | undefined {
  if (spec.cage.network !== "host") return undefined;
  if (!config.allow_host_network) return { field: "cage.network", detail: 'cage.network "host" is not allowed in this cluster (its allow_host_network setting is off)' };
  if (!satisfies(role, "admin")) return { field: "cage.network", detail: 'cage.network "host" needs the admin role' };
  return undefined;
}

/**
 * Refuses (422, naming `field.i`) a node in `constraints.nodes` that is not in the cluster: a
 * typo would otherwise leave every replica pending with "no node fits".
 */
export function checkNamedNodes(ctx: ClusterCtx, nodes: readonly string[] | undefined, field = "constraints.nodes"): void {
  (nodes ?? []).forEach((n, i) => {
    if (!ctx.nodes.get(n)) reject(422, `${field}: ${n} is not a node of cluster ${ctx.cluster}`, { field: `${field}.${i}` });
  });
}

/** Placements audited per ResourceAllocation entry: one signature per chunk keeps a
 * 10,000-replica deploy from spending seconds on audit signatures. */
const ALLOCATIONS_PER_ENTRY = 100;

/**
 * Places every replica that has no node yet (new ones, or ones whose node went away) in one
 * scheduler pass, so each placement sees the earlier ones' allocations. Placements are audited
 * as ResourceAllocation entries carrying each choice's scores. Returns how many were placed.
 */
export function placePending(ctx: ClusterCtx, actor: string, fresh: readonly FreshReplicas[] = []): number {
  // Consensus places one replica per proposal against stored rows: the new ones are stored first.
  if (fresh.length > 0 && consensusOn(ctx.config)) {
    for (const f of fresh) storeFresh(ctx, f);
    fresh = [];
  }
  // SQLite reads only what placement needs: the waiting replicas, the placed ones of their
  // workloads, and per-node sums (reading every replica row cost more than the engine's pass).
  // New replicas come after the stored ones, as their rows would (rowid order).
  const pending = ctx.workloads.pendingRows();
  const stored = pending.length;
  const freshIds = new Set<string>();
  for (const f of fresh) {
    const { cpu_millis, memory_mb, storage_gb } = f.resources;
    for (const id of f.ids) {
      freshIds.add(id);
      pending.push({ id, workload: f.workload, replica_type: f.type, node: null, cpu_millis, memory_mb, storage_gb });
    }
  }
  if (pending.length === 0) return 0;
  const specs = new Map<string, WorkloadSpec | undefined>();
  const specOf = (w: string) => (specs.has(w) ? specs.get(w) : specs.set(w, ctx.workloads.get(w)?.spec).get(w));
  const placedByWorkload = new Map<string, ExistingReplica[]>();
  for (const r of ctx.workloads.placedOf([...new Set(pending.map((p) => p.workload))])) {
    const list = placedByWorkload.get(r.workload) ?? [];
    list.push({ nodeId: r.node!, replicaId: r.id, replicaType: r.replica_type as ReplicaType });
    placedByWorkload.set(r.workload, list);
  }
  const requests: PlacementRequest[] = [];
  for (const r of pending) {
    const spec = specOf(r.workload);
    if (!spec) continue;
    requests.push({
      workload: r.workload,
      replicaId: r.id,
      replicaType: r.replica_type as ReplicaType,
      resources: { cpu_millis: r.cpu_millis, memory_mb: r.memory_mb, storage_gb: r.storage_gb },
      constraints: spec.constraints,
      algorithm: algorithmOf(spec, ctx.config),
      existing: placedByWorkload.get(r.workload) ?? [],
    });
  }
  if (consensusOn(ctx.config)) return placeByConsensus(ctx, actor, requests, specOf);
  const result = placeMany(requests, schedNodes(ctx.nodes.forPlacementAllocated()), ctx.meta.schedState(), { maxReplicasPerNode: ctx.config.max_replicas_per_node });
  ctx.meta.setSchedState(result.state);
  const at = isoNow();
  const allocations = new Map<string, { replica: string; node: string; scores: unknown }[]>();
  const placed: { id: string; node: string }[] = [];
  const failed: { id: string; reason: string }[] = [];
  for (const o of result.outcomes) {
    if (!o.ok) {
      failed.push({ id: o.replicaId, reason: o.reason });
      continue;
    }
    placed.push({ id: o.replicaId, node: o.nodeId });
    const list = allocations.get(o.workload) ?? allocations.set(o.workload, []).get(o.workload)!;
    list.push({ replica: o.replicaId, node: o.nodeId, scores: o.scores });
  }
  // Two statements for the stored rows of the whole pass, not one per replica; the new ones are
  // inserted as placed, the rows an INSERT as pending and these UPDATEs would have left.
  const outcome = new Map<string, [node: string | null, reason: string | null]>();
  if (freshIds.size > 0) {
    for (const p of placed) if (freshIds.has(p.id)) outcome.set(p.id, [p.node, null]);
    for (const f of failed) if (freshIds.has(f.id)) outcome.set(f.id, [null, f.reason]);
  }
  if (stored > 0) {
    ctx.workloads.unplacedReplicas(freshIds.size ? failed.filter((f) => !freshIds.has(f.id)) : failed, at);
    ctx.workloads.placeReplicas(freshIds.size ? placed.filter((p) => !freshIds.has(p.id)) : placed, at);
  }
  for (const f of fresh) {
    f.stored = f.ids.map((id) => outcome.get(id));
    ctx.workloads.insertReplicas(f.workload, f.type, f.specVersion, f.resources, f.at, at, f.ids, f.stored);
  }
  // One workload per entry: its name, algorithm and resources are said once, not per placement
  // (a third of a 34 KB entry, signed, hashed, logged and written to D1).
  for (const [workload, list] of allocations) {
    const spec = specOf(workload)!;
    const shared = { workload, algorithm: algorithmOf(spec, ctx.config), resources: spec.resources };
    for (let i = 0; i < list.length; i += ALLOCATIONS_PER_ENTRY) {
      const chunk = list.slice(i, i + ALLOCATIONS_PER_ENTRY);
      const subject = chunk.length === 1 ? chunk[0].replica : `${chunk.length} replicas`;
      ctx.audit.append(ctx.cluster, "ResourceAllocation", actor, subject, { ...shared, allocations: chunk });
    }
  }
  return result.placed;
}

/**
 * New replicas whose ids are taken and audited but whose rows are not stored yet: placePending
 * stores them with their placement (one INSERT instead of an INSERT, a read and an UPDATE).
 */
export type FreshReplicas = {
  workload: string;
  type: ReplicaType;
  ids: string[];
  specVersion: number;
  resources: { cpu_millis: number; memory_mb: number; storage_gb: number };
  /** created_at */
  at: string;
  /** Set by placePending once it stored the rows placed: each one's node, or why none fits. */
  stored?: ([node: string | null, reason: string | null] | undefined)[];
};

/**
 * The API's views of fresh replicas as placePending stored them (the columns insertReplicas
 * writes and the table's defaults), in replicaViewsOf's order (created_at, then id): a deploy of
 * a new workload answers with these instead of reading its 1,000 rows back. Undefined when a row
 * was stored some other way (consensus placement stores them pending and places them later).
 * test/worker/placement-insert.test.ts checks the answer against the stored rows' views.
 */
export function storedViews(fresh: readonly FreshReplicas[]): Replica[] | undefined {
  const rows: Parameters<typeof toReplica>[0][] = [];
  for (const f of fresh) {
    if (!f.stored) return undefined;
    f.ids.forEach((id, i) => {
      const o = f.stored![i];
      rows.push({
        id, replica_type: f.type, spec_version: f.specVersion, healthy: null, node: o ? o[0] : null, retire_at: null, status: "pending",
        container: id, endpoint: null, exit_code: null, restarts: 0, reason: o ? o[1] : null, created_at: f.at, backoff: null,
      });
    });
  }
  // SQLite's BINARY order on these ASCII texts (workload names and ids are a-z, 0-9, '-') is JS's.
  rows.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return rows.map(toReplica);
}

/** Stores `f` as pending, unplaced. */
function storeFresh(ctx: ClusterCtx, f: FreshReplicas): void {
  ctx.workloads.insertReplicas(f.workload, f.type, f.specVersion, f.resources, f.at, f.at, f.ids, []);
}

/**
 * New replicas of `workload` at its current spec version, waiting for placement, audited as
 * ReplicaCreated (one entry per chunk of ids: a signature per replica would dominate big deploys).
 */
export function addReplicas(ctx: ClusterCtx, actor: string, workload: string, type: ReplicaType, count: number, at: string): string[] {
  const f = reserveReplicas(ctx, actor, workload, type, count, at);
  storeFresh(ctx, f);
  return f.ids;
}

/** addReplicas without storing the rows: hand the result to placePending, which stores them placed. */
export function reserveReplicas(ctx: ClusterCtx, actor: string, workload: string, type: ReplicaType, count: number, at: string): FreshReplicas {
  const wl = ctx.workloads.get(workload)!;
  const { cpu_millis, memory_mb, storage_gb } = wl.spec.resources;
  const ids = ctx.workloads.reserveReplicaIds(workload, count);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    ctx.audit.append(ctx.cluster, "ReplicaCreated", actor, chunk.length === 1 ? chunk[0] : `${chunk.length} replicas`, {
      workload,
      replica_type: type,
      spec_version: wl.version,
      replicas: chunk,
    });
  }
  return { workload, type, ids, specVersion: wl.version, resources: { cpu_millis, memory_mb, storage_gb }, at };
}

/** How many replicas of each type a spec asks for. */
export const wantedTypes = (spec: WorkloadSpec): [ReplicaType, number][] => [
  ["primary", spec.replicas],
  ["secondary", spec.secondaries],
  ["read_only", spec.read_only_replicas],
  ["load_balancer", spec.load_balancer_replicas],
];

/** `checkNodes` false: a later wave of an agreement, whose pinned node may have left since (its replicas wait instead). */
export function deployWorkload(ctx: ClusterCtx, actor: string, spec: WorkloadSpec, checkNodes = true) {
  if (ctx.workloads.deletingNames().includes(spec.name)) reject(409, `workload ${spec.name} is being removed; deploy it again once it is gone`, { field: "name" });
  if (ctx.workloads.get(spec.name)) reject(409, `workload ${spec.name} already exists`, { field: "name" });
  if (checkNodes) checkNamedNodes(ctx, spec.constraints?.nodes);
  const at = isoNow();
  const view = ctx.workloads.put(spec, actor, at);
  ctx.audit.append(ctx.cluster, "WorkloadDeployed", actor, spec.name, { spec, version: view.version });
  const fresh: FreshReplicas[] = [];
  for (const [type, n] of wantedTypes(spec)) if (n > 0) fresh.push(reserveReplicas(ctx, actor, spec.name, type, n, at));
  placePending(ctx, actor, fresh);
  ctx.meta.bumpVersion();
  return { view, replicas: storedViews(fresh) };
}

/**
 * Removes a workload. Its running replicas stay listed to their agents with `stop` (and the grace
 * period, 0 with force) until each agent reports its container ended, so the grace reaches the
 * agent and `enc rm --wait` can wait for the end; the workload goes with its last replica. A
 * replica whose agent never answers goes after its grace plus the cluster's stop_confirm_slack_s anyway.
 */
export function deleteWorkload(ctx: ClusterCtx, actor: string, name: string, opts: { graceS?: number; force?: boolean } = {}) {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const all = ctx.workloads.replicasOf(name);
  const grace = opts.force ? 0 : (opts.graceS ?? null);
  const now = Date.now();
  ctx.audit.append(ctx.cluster, "WorkloadDeleted", actor, name, { replicas: all.map((r) => r.id), grace_period_s: grace, force: opts.force === true });
  ctx.workloads.markDeleting(name, now);
  const at = isoNow();
  for (const r of all) {
    if (!r.node || !LIVE.has(r.status)) ctx.workloads.removeReplica(r.id);
    else ctx.workloads.updateReplica(r.id, { stopping: 1, stop_grace_s: grace, retire_at: now + ((grace ?? DEFAULT_GRACE_S) + (ctx.config.stop_confirm_slack_s ?? DELETE_SLACK_S)) * 1000 }, at);
  }
  finishDeletes(ctx);
  ctx.meta.bumpVersion();
}

/**
 * Stores what a node says happened to its replicas, each under its workload; events about
 * replicas that are not (or no longer) on that node are dropped: a node speaks only for its own.
 */
export function recordAgentEvents(ctx: ClusterCtx, node: string, list: AgentEvent[]): void {
  const mine = new Map<string, string | null>();
  const workloadOf = (replica: string) => {
    if (!mine.has(replica)) {
      const r = ctx.workloads.replica(replica);
      mine.set(replica, r && r.node === node ? r.workload : null);
    }
    return mine.get(replica);
  };
  ctx.events.add(node, ctx.events.unseen(node, list).flatMap((e) => {
    const workload = workloadOf(e.replica);
    return workload ? [{ ...e, workload }] : [];
  }));
}

/** Replicas with a container worth a grace period; one starting or backing off goes at once. */
const LIVE = new Set(["running", "stopping"]);
/** Without --grace-period the agent uses its own --stop-grace-s; the fallback assumes up to this. */
const DEFAULT_GRACE_S = 30;
/** For a config stored before `stop_confirm_slack_s` existed. */
const DELETE_SLACK_S = 30;

/** Drops stopped replicas of removed workloads, and each removed workload with its last replica. */
export function finishDeletes(ctx: ClusterCtx): boolean {
  let changed = false;
  for (const name of ctx.workloads.deletingNames()) {
    for (const r of ctx.workloads.replicasOf(name)) {
      if (r.stopping && !LIVE.has(r.status)) {
        ctx.workloads.removeReplica(r.id);
        changed = true;
      }
    }
    if (ctx.workloads.replicasOf(name).length === 0) {
      ctx.workloads.remove(name);
      changed = true;
    }
  }
  if (changed) ctx.meta.bumpVersion();
  return changed;
}

/**
 * RESTARTS across the re-creation of a replica's container: the agent counts per container record
 * and starts again at 0 when the container is re-created (on another node, after its records were
 * lost). A count that goes down is such a re-creation: it counts as one restart, and what the agent
 * counts from there adds on. The replica's own count ends only with the replica.
 */
export function keptRestarts(shown: number, seen: number, reported: number): number {
  return reported >= seen ? shown + reported - seen : shown + 1 + reported;
}

/** Applies what a node says about its containers; reports about other nodes' replicas are ignored. */
export function applyReports(ctx: ClusterCtx, node: string, reports: ContainerReport[]): void {
  const at = isoNow();
  for (const c of reports) {
    const r = ctx.workloads.replica(c.replica);
    if (!r || r.node !== node) continue;
    ctx.workloads.updateReplica(
      r.id,
      {
        status: c.status,
        exit_code: c.exit_code ?? null,
        endpoint: c.endpoint ?? r.endpoint,
        restarts: keptRestarts(r.restarts, r.restarts_seen, c.restarts),
        restarts_seen: c.restarts,
        reason: c.reason ?? null,
        healthy: c.healthy === undefined ? null : c.healthy ? 1 : 0,
        cpu_percent: c.cpu_percent ?? null,
        backoff: c.backoff ? JSON.stringify(c.backoff) : null,
        ...(c.container ? { container: c.container } : {}),
      },
      at,
    );
  }
}
