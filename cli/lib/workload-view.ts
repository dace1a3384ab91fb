// Shared rendering of workloads, replicas, metrics and node states (deploy, ps, scale, monitor),
// and the interruptible waits of the commands that poll (deploy --wait, logs --follow, monitor).
import type { ClusterMetrics, Replica, Workload } from "./api-types.ts";
import type { Style } from "./style.ts";
import { formatPairs, formatTable, short } from "./table.ts";

export function replicaStatus(r: Pick<Replica, "status" | "exit_code">, s: Style): string {
  switch (r.status) {
    case "running":
      return s.green(r.status);
    case "failed":
      return s.red(r.status);
    case "exited":
      return r.exit_code ? s.red(r.status) : r.status;
    default:
      return s.yellow(r.status);
  }
}

export function nodeStatus(st: string, s: Style): string {
  return st === "ready" ? s.green(st) : st === "down" ? s.red(st) : s.yellow(st);
}

/** A workload's cage network as ps shows it: host network stands out (it shares the node's stack). */
export function netLabel(network: string, s: Style): string {
  return network === "host" ? s.yellow("host-net") : network;
}

/** What `enc ps` adds to the table: HEALTH and AGE, and with -o wide the full node, container and spec version. */
export interface ReplicaColumns {
  lifecycle?: boolean;
  wide?: boolean;
  now?: number;
}

/** "healthy", "unhealthy", or "-" without a health check (or no result yet). */
export function healthLabel(r: Pick<Replica, "healthy">, s: Style): string {
  return r.healthy === undefined ? "-" : r.healthy ? s.green("healthy") : s.red("unhealthy");
}

/** "45s", "12m", "3h", "2d" (as kubectl prints ages). */
export function age(fromIso: string | undefined, now: number): string {
  const t = fromIso ? Date.parse(fromIso) : NaN;
  if (Number.isNaN(t)) return "-";
  const sec = Math.max(0, Math.floor((now - t) / 1000));
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172_800) return `${Math.floor(sec / 3600)}h`;
  return `${Math.floor(sec / 86_400)}d`;
}

/**
 * REPLICA TYPE NODE STATUS RESTARTS ENDPOINT EXIT, NET when `networkOf` is given, plus NOTE when a
 * replica has a reason or fails its check. `cols.lifecycle` (enc ps) adds HEALTH after STATUS and
 * AGE after RESTARTS; `cols.wide` prints whole node addresses and adds CONTAINER and VERSION.
 */
export function replicaTable(replicas: Replica[], s: Style, networkOf?: (r: Replica) => string | undefined, cols: ReplicaColumns = {}): string {
  const note = (r: Replica) => [r.healthy === false ? "unhealthy" : "", r.reason ?? ""].filter(Boolean).join("; ");
  const withNote = replicas.some((r) => note(r));
  const life = cols.lifecycle ?? false;
  const now = cols.now ?? Date.now();
  const rows = replicas.map((r) => [
    r.id,
    r.replica_type,
    r.node ? (cols.wide ? r.node : short(r.node)) : s.dim("unplaced"),
    replicaStatus(r, s),
    ...(life ? [healthLabel(r, s)] : []),
    String(r.restarts),
    ...(life ? [age(r.created_at, now)] : []),
    r.endpoint ?? "-",
    r.exit_code === undefined ? "-" : String(r.exit_code),
    ...(networkOf ? [netLabel(networkOf(r) ?? "-", s)] : []),
    ...(cols.wide ? [r.container || "-", String(r.spec_version)] : []),
    ...(withNote ? [note(r) || "-"] : []),
  ]);
  const headers = [
    "REPLICA", "TYPE", "NODE", "STATUS", ...(life ? ["HEALTH"] : []), "RESTARTS", ...(life ? ["AGE"] : []), "ENDPOINT", "EXIT",
    ...(networkOf ? ["NET"] : []), ...(cols.wide ? ["CONTAINER", "VERSION"] : []), ...(withNote ? ["NOTE"] : []),
  ];
  return formatTable(headers, rows, s);
}

/** "2 running, 1 pending" */
export function statusCounts(replicas: Pick<Replica, "status">[]): string {
  if (replicas.length === 0) return "no replicas";
  const counts = new Map<string, number>();
  for (const r of replicas) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([st, n]) => `${n} ${st}`).join(", ");
}

/** "2 primary, 1 secondary" from the spec's counts. */
export function wantedReplicas(w: Workload["workload"]["spec"]): string {
  const parts = [
    [w.replicas, "primary"],
    [w.secondaries, "secondary"],
    [w.read_only_replicas, "read-only"],
    [w.load_balancer_replicas, "load-balancer"],
  ].filter(([n]) => Number(n) > 0);
  return parts.length ? parts.map(([n, t]) => `${n} ${t}`).join(", ") : "0 (scaled to zero)";
}

export function workloadPairs(w: Workload, s: Style): string {
  const spec = w.workload.spec;
  return formatPairs(
    [
      ["Workload", s.bold(spec.name)],
      ["Image", spec.image],
      ...(spec.command?.length ? ([["Command", spec.command.join(" ")]] as Array<[string, string]>) : []),
      ["Version", String(w.workload.version)],
      ["Replicas", `${wantedReplicas(spec)}; ${statusCounts(w.replicas)}`],
      ["Restart", spec.restart],
      ["Network", netLabel(spec.cage.network, s)],
      ["Updated", w.workload.updated_at],
    ],
    s,
  );
}

const pct = (v: number | undefined) => (v === undefined ? "-" : `${(v * 100).toFixed(1)} %`);

/** The known ClusterMetrics as labelled lines; gauges the CLI does not know yet are listed as they are. */
export function metricsPairs(m: ClusterMetrics): Array<[string, string]> {
  const known: Array<[string, string, string[]]> = [
    ["Nodes", `${m.total_nodes ?? 0} (${m.healthy_nodes ?? 0} ready)`, ["total_nodes", "healthy_nodes"]],
    ["Workloads", String(m.total_workloads ?? 0), ["total_workloads"]],
    ["Replicas", `${m.total_replicas ?? 0} (${m.running_replicas ?? 0} running, ${m.pending_replicas ?? 0} unplaced)`, ["total_replicas", "running_replicas", "pending_replicas"]],
    ["CPU", `${pct(m.cpu_utilization)} used, ${pct(m.cpu_allocation)} allocated`, ["cpu_utilization", "cpu_allocation"]],
    ["Memory", `${pct(m.memory_utilization)} used, ${pct(m.memory_allocation)} allocated`, ["memory_utilization", "memory_allocation"]],
    ["Connections", String(m.connections ?? 0), ["connections"]],
    ["Audit entries", `${m.bpi_audit_entries_per_minute ?? 0} in the last minute`, ["bpi_audit_entries_per_minute"]],
  ];
  const seen = new Set(known.flatMap(([, , keys]) => keys));
  return [...known.map(([k, v]): [string, string] => [k, v]), ...Object.entries(m).filter(([k]) => !seen.has(k)).map(([k, v]): [string, string] => [k, String(v)])];
}

/** "3.2 s ago", "never" */
export function heartbeatAge(age: number | null): string {
  if (age === null) return "never";
  return age < 120 ? `${age.toFixed(1)} s ago` : `${Math.round(age / 60)} min ago`;
}

/** Aborted by Ctrl-C: polling commands stop cleanly (exit 0) instead of dying mid-write. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.once("SIGINT", onInt);
  return { signal: ac.signal, dispose: () => process.off("SIGINT", onInt) };
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
