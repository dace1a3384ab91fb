// How a replica looks in a heartbeat: the control plane's statuses, the container id, restarts,
// the endpoint of network "host" replicas, CPU as a percentage of the requested cpu_millis
// (what autoscaling reads) and the health check's verdict.
import type { ContainerReportInput } from "../../protocol/api/agent.ts";
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
