// How a replica looks in a heartbeat: the control plane's statuses, the container id, restarts,
// the endpoint of network "host" replicas, CPU as a percentage of the requested cpu_millis
// (what autoscaling reads) and the health check's verdict.
import type { ContainerReportInput } from "../../protocol/api/agent.ts";
import type { ReplicaBackOff } from "../../protocol/api/workload.ts";
import type { EventLog } from "./event-log.ts";
import { DEFAULT_BACKOFF, failureReason } from "./restart-policy.ts";
import type { ReplicaRecord } from "./records.ts";

export interface Sample {
  cpuAt?: { ms: number; ns: number };
  cpuPercent?: number;
  /** cores used × 1000 over the last interval */
  cpuMillis?: number;
  memoryBytes?: number;
}

const STATUS: Record<ReplicaRecord["phase"], ContainerReportInput["status"]> = {
  pending: "pending",
  starting: "starting",
  running: "running",
  stopping: "stopping",
  backoff: "starting", // it will run again: still an active replica, not a failed one
  exited: "exited",
  failed: "failed",
};

export function endpointOf(rec: ReplicaRecord, advertisedHost: string): string | undefined {
  const port = rec.ports[0]?.host_port;
  if (port === undefined) return undefined;
  const host = advertisedHost.includes(":") && !advertisedHost.startsWith("[") ? `[${advertisedHost}]` : advertisedHost;
  return `http://${host}:${port}`;
}

/**
 * CrashLoopBackOff or ImagePullBackOff: while the replica waits out a back-off after a quick
 * failure, and also while it is tried again, until a container has run long enough to reset the
 * back-off. Reporting "running" for the instant a crashing container runs would make the
 * replica look fine in `enc health` every few seconds.
 */
export function backoffOf(rec: ReplicaRecord, now = Date.now(), resetAfterMs = DEFAULT_BACKOFF.resetAfterMs): ReplicaBackOff | undefined {
  if (!rec.loop) return undefined;
  if (rec.phase === "backoff" || rec.phase === "starting" || rec.phase === "pending") return rec.loop;
  if (rec.phase === "running" && rec.started_ms !== null && now - rec.started_ms < resetAfterMs) return rec.loop;
  return undefined;
}

/** The restart decision after a container's end, as an event: back-off, restart, or it stays down. */
export function reportDecision(events: EventLog, rec: ReplicaRecord, container: string, delayMs: number | null): void {
  const backoff = backoffOf(rec);
  if (backoff) {
    events.push({ replica: rec.id, container, kind: "back_off", reason: `${backoff.state}: ${backoff.reason}; retry in ${Math.round((delayMs ?? 0) / 100) / 10} s` });
  } else if (delayMs !== null) {
    events.push({ replica: rec.id, container, kind: "restarting", reason: failureReason(rec) });
  } else if (rec.phase === "failed") {
    events.push({ replica: rec.id, container, kind: "failed", reason: `${failureReason(rec)}; restart policy ${rec.spec.restart}` });
  }
}

export function replicaReport(rec: ReplicaRecord, sample: Sample, healthy: boolean | undefined, advertisedHost: string): ContainerReportInput {
  const r: ContainerReportInput = { replica: rec.id, status: STATUS[rec.phase], restarts: rec.restarts };
  if (rec.container) r.container = rec.container;
  const ended = rec.phase === "exited" || rec.phase === "failed" || rec.phase === "backoff";
  if (ended && rec.exit_code !== null) r.exit_code = rec.exit_code;
  if (rec.phase === "backoff" && rec.next_start_ms) {
    const s = Math.max(0, Math.ceil((rec.next_start_ms - Date.now()) / 1000));
    r.reason = `restarting in ${s}s after ${rec.reason ?? "exit"}${rec.exit_code !== null ? ` (exit ${rec.exit_code})` : ""}`;
  } else if (ended && rec.reason && rec.reason !== "exited") {
    r.reason = rec.reason;
  }
  const backoff = backoffOf(rec);
  if (backoff) r.backoff = backoff;
  const endpoint = endpointOf(rec, advertisedHost);
  if (endpoint && rec.phase === "running") r.endpoint = endpoint;
  if (rec.phase === "running" && sample.cpuPercent !== undefined) r.cpu_percent = sample.cpuPercent;
  if (rec.phase === "running" && healthy !== undefined) r.healthy = healthy;
  return r;
}

/** Folds a `runc events --stats` reading into the sample: CPU share since the last reading. */
export function updateSample(sample: Sample, stats: { cpuNs: number; memoryBytes: number }, cpuMillisRequested: number, now: number): void {
  const prev = sample.cpuAt;
  if (prev && now > prev.ms && stats.cpuNs >= prev.ns) {
    const cores = (stats.cpuNs - prev.ns) / 1e6 / (now - prev.ms);
    sample.cpuPercent = Math.round((cores / (cpuMillisRequested / 1000)) * 1000) / 10;
    sample.cpuMillis = Math.round(cores * 1000);
  }
  sample.cpuAt = { ms: now, ns: stats.cpuNs };
  sample.memoryBytes = stats.memoryBytes;
}
