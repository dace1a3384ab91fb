import type { ClusterMetrics } from "../../protocol/api/observe.ts";
import type { ReplicaBackOff } from "../../protocol/api/workload.ts";
import type { ClusterCtx } from "./context.ts";

/**
 * The seeds' ClusterMetrics, limited to what ENC measures: utilizations are the usage agents
 * report over the capacity nodes declare; nothing is estimated or invented.
 */
export function clusterMetrics(ctx: ClusterCtx, now: number) {
  const nodes = ctx.nodes.list();
  const reports = ctx.nodes.allReported();
  const usage = new Map(
    nodes.map((n) => {
      const u = reports.get(n.address)?.usage;
      return [n.address, u ? (JSON.parse(u) as { cpu_millis: number; memory_mb: number; connections?: number }) : null] as const;
    }),
  );
  const ready = nodes.filter((n) => n.status === "ready");
  const capCpu = ready.reduce((s, n) => s + n.capabilities.cpu_cores * 1000, 0);
  const capMem = ready.reduce((s, n) => s + n.capabilities.memory_gb * 1024, 0);
  const usedCpu = ready.reduce((s, n) => s + (usage.get(n.address)?.cpu_millis ?? 0), 0);
  const usedMem = ready.reduce((s, n) => s + (usage.get(n.address)?.memory_mb ?? 0), 0);
  const replicas = ctx.workloads.allReplicas();
  const allocCpu = replicas.filter((r) => r.node).reduce((s, r) => s + r.cpu_millis, 0);
  const allocMem = replicas.filter((r) => r.node).reduce((s, r) => s + r.memory_mb, 0);
  const auditLastMinute = ctx.auditSince(new Date(now - 60_000).toISOString());
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : 0);
  return {
    total_nodes: nodes.length,
    healthy_nodes: ready.length,
    total_replicas: replicas.length,
    running_replicas: replicas.filter((r) => r.status === "running").length,
    pending_replicas: replicas.filter((r) => !r.node).length,
    total_workloads: ctx.workloads.list().length,
    cpu_utilization: ratio(usedCpu, capCpu),
    memory_utilization: ratio(usedMem, capMem),
    cpu_allocation: ratio(allocCpu, capCpu),
    memory_allocation: ratio(allocMem, capMem),
    connections: [...usage.values()].reduce((s, u) => s + (u?.connections ?? 0), 0),
    bpi_audit_entries_per_minute: auditLastMinute,
  };
}

export function clusterHealth(ctx: ClusterCtx, now: number) {
  const reports = ctx.nodes.allReported();
  const nodes = ctx.nodes.list().map((n) => {
    const hb = reports.get(n.address)?.last_heartbeat ?? null;
    return { address: n.address, status: n.status, last_heartbeat: n.last_heartbeat, heartbeat_age_s: hb == null ? null : Math.round((now - hb) / 100) / 10 };
  });
  const replicas = ctx.workloads.allReplicas().map((r) => ({
    id: r.id,
    workload: r.workload,
    replica_type: r.replica_type,
    node: r.node,
    status: r.status,
    healthy: r.healthy == null ? null : r.healthy === 1,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.backoff ? { backoff: JSON.parse(r.backoff) as ReplicaBackOff } : {}),
  }));
  // A replica in CrashLoopBackOff or ImagePullBackOff is reported "starting" but is not getting there.
  const degraded = nodes.some((n) => n.status === "down") || replicas.some((r) => r.status === "failed" || r.healthy === false || !r.node || r.backoff);
  return { status: degraded ? ("degraded" as const) : ("ok" as const), nodes, replicas };
}

/** Prometheus text exposition (version 0.0.4). */
export function prometheus(cluster: string, m: ClusterMetrics): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(m)) {
    const name = `enc_cluster_${k}`;
    lines.push(`# TYPE ${name} gauge`, `${name}{cluster="${cluster}"} ${v}`);
  }
  return lines.join("\n") + "\n";
}
