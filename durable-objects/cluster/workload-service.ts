import { isoNow } from "../../protocol/time.ts";
import type { ClusterConfig } from "../../workers/schemas/cluster.ts";
import type { ContainerReport, HeartbeatBody } from "../../workers/schemas/agent.ts";
import type { WorkloadSpec } from "../../workers/schemas/workload.ts";
import type { AuditLog } from "../shared/audit-log.ts";
import { reject } from "../shared/result.ts";
import { one } from "../shared/sql-migrate.ts";
import type { NodeRegistry } from "./node-registry.ts";
import { placeReplica, schedNodes } from "./placement.ts";
import type { ReplicaType, SchedulerState } from "./scheduler/types.ts";
import type { WorkloadStore } from "./workload-store.ts";

export interface ClusterCtx {
  cluster: string;
  config: ClusterConfig;
  sql: SqlStorage;
  audit: AuditLog;
  nodes: NodeRegistry;
  workloads: WorkloadStore;
}

const getState = (sql: SqlStorage): SchedulerState =>
  JSON.parse(one<{ value: string }>(sql, "SELECT value FROM meta WHERE key = 'sched_state'")?.value ?? "{}");

const setState = (sql: SqlStorage, s: SchedulerState) =>
  sql.exec("INSERT INTO meta (key, value) VALUES ('sched_state', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", JSON.stringify(s));

export function bumpVersion(sql: SqlStorage): number {
  return one<{ v: number }>(
    sql,
    `INSERT INTO meta (key, value) VALUES ('desired_version', '1')
     ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER) AS v`,
  )!.v;
}

export const desiredVersion = (sql: SqlStorage): number =>
  Number(one<{ value: string }>(sql, "SELECT value FROM meta WHERE key = 'desired_version'")?.value ?? 0);

/**
 * Places every replica that has no node yet (new ones, or ones whose node went away). Each
 * placement is audited as ResourceAllocation with the scores that chose it. Returns how many
 * replicas moved onto a node.
 */
export function placePending(ctx: ClusterCtx, actor: string): number {
  let placed = 0;
  let state = getState(ctx.sql);
  const nodes = ctx.nodes.list();
  for (const r of ctx.workloads.allReplicas()) {
    if (r.node) continue;
    const wl = ctx.workloads.get(r.workload);
    if (!wl) continue;
    const siblings = ctx.workloads.replicasOf(r.workload).filter((s) => s.id !== r.id);
    const res = placeReplica(wl.spec, r.id, r.replica_type as ReplicaType, schedNodes(nodes, ctx.workloads.allReplicas()), siblings, ctx.config, state);
    state = res.state;
    const at = isoNow();
    if (!res.ok) {
      if (r.reason !== res.reason) ctx.workloads.updateReplica(r.id, { reason: res.reason }, at);
      continue;
    }
    ctx.workloads.updateReplica(r.id, { node: res.nodeId, status: "pending", reason: null }, at);
    ctx.audit.append(ctx.cluster, "ResourceAllocation", actor, r.id, {
      workload: r.workload,
      node: res.nodeId,
      algorithm: wl.spec.load_balancing_algorithm ?? ctx.config.load_balancing_algorithm,
      resources: wl.spec.resources,
      scores: res.scores,
    });
    placed++;
  }
  setState(ctx.sql, state);
  return placed;
}

/** A new replica of `workload` at its current spec version, waiting for placement. */
export function addReplica(ctx: ClusterCtx, actor: string, workload: string, type: ReplicaType, at: string): string {
  const wl = ctx.workloads.get(workload)!;
  const id = ctx.workloads.nextReplicaId(workload);
  const { cpu_millis, memory_mb, storage_gb } = wl.spec.resources;
  ctx.workloads.addReplica(
    { id, workload, replica_type: type, node: null, status: "pending", container: id, cpu_millis, memory_mb, storage_gb, spec_version: wl.version },
    at,
  );
  ctx.audit.append(ctx.cluster, "ReplicaCreated", actor, id, { workload, replica_type: type, spec_version: wl.version });
  return id;
}

/** How many replicas of each type a spec asks for. */
export const wantedTypes = (spec: WorkloadSpec): [ReplicaType, number][] => [
  ["primary", spec.replicas],
  ["secondary", spec.secondaries],
  ["read_only", spec.read_only_replicas],
  ["load_balancer", spec.load_balancer_replicas],
];

export function deployWorkload(ctx: ClusterCtx, actor: string, spec: WorkloadSpec) {
  if (ctx.workloads.get(spec.name)) reject(409, `workload ${spec.name} already exists`, { field: "name" });
  const at = isoNow();
  const view = ctx.workloads.put(spec, actor, at);
  ctx.audit.append(ctx.cluster, "WorkloadDeployed", actor, spec.name, { spec, version: view.version });
  for (const [type, n] of wantedTypes(spec)) for (let i = 0; i < n; i++) addReplica(ctx, actor, spec.name, type, at);
  placePending(ctx, actor);
  bumpVersion(ctx.sql);
  return view;
}

export function deleteWorkload(ctx: ClusterCtx, actor: string, name: string) {
  const wl = ctx.workloads.get(name);
  if (!wl) reject(404, `no workload ${name}`, { field: "name" });
  const replicas = ctx.workloads.replicasOf(name).map((r) => r.id);
  ctx.workloads.remove(name);
  ctx.audit.append(ctx.cluster, "WorkloadDeleted", actor, name, { replicas });
  bumpVersion(ctx.sql);
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
        restarts: c.restarts,
        reason: c.reason ?? null,
        healthy: c.healthy === undefined ? null : c.healthy ? 1 : 0,
        cpu_percent: c.cpu_percent ?? null,
        ...(c.container ? { container: c.container } : {}),
      },
      at,
    );
  }
}

export function recordHeartbeat(ctx: ClusterCtx, node: string, body: HeartbeatBody, now: number): void {
  const n = ctx.nodes.get(node);
  if (!n) reject(404, "this node is not registered in the cluster");
  ctx.sql.exec("UPDATE nodes SET last_heartbeat = ?, usage = ? WHERE address = ?", now, JSON.stringify(body.usage), node);
  if (n.status === "down") {
    ctx.nodes.setStatus(node, "ready");
    ctx.audit.append(ctx.cluster, "NodeStatusChanged", node, node, { from: "down", to: "ready" });
  }
  applyReports(ctx, node, body.containers);
  if (placePending(ctx, "system") > 0) bumpVersion(ctx.sql);
}
