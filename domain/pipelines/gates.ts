// The TrafficLight rules of a pipeline promotion, pure: the ClusterDO gives them what it holds
// (replica states, roles, replay verdicts) and records what they decide (durable-objects/cluster/pipelines.ts).
import type { ApprovalRecord, GateResult, GateState, Pipeline, PipelineGates, Promotion } from "../../protocol/api/pipeline.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";

/** What a gate needs to know of a replica. */
export interface ReplicaHealth {
  id: string;
  version: number;
  status: string;
  /** null: the workload has no health check */
  healthy: boolean | null;
  retiring: boolean;
  /** in CrashLoopBackOff or ImagePullBackOff: not getting to running */
  backoff: boolean;
}

/** The stages a promotion moves between: `to` named, or the stage after the first one (a two-stage pipeline needs no name). */
export function promotionStages(p: Pick<Pipeline, "stages">, to?: string): { from: number; to: number } | { refusal: string } {
  const i = to === undefined ? 1 : p.stages.findIndex((s) => s.name === to);
  if (i < 0) return { refusal: `pipeline has no stage ${to}` };
  if (i === 0) return { refusal: `${to} is the first stage: nothing is promoted into it` };
  return { from: i - 1, to: i };
}

/** Source workload i is promoted onto target workload i; a stage with fewer workloads cannot be paired. */
export function pairWorkloads(source: string[], target: string[]): { pairs: [string, string][] } | { refusal: string } {
  if (source.length !== target.length) return { refusal: `stages have ${source.length} and ${target.length} workloads; a promotion pairs them one to one` };
  return { pairs: source.map((s, i) => [s, target[i]] as [string, string]) };
}

/** The source must be serving: every live replica running, none failing its health check. */
export function sourceHealthy(workload: string, replicas: ReplicaHealth[]): GateResult {
  const live = replicas.filter((r) => !r.retiring);
  const bad = live.filter((r) => r.status !== "running" || r.healthy === false);
  if (live.length === 0) return { gate: "source_healthy", state: "red", detail: `${workload} has no replica` };
  if (bad.length) return { gate: "source_healthy", state: "red", detail: `${workload}: ${bad.map((r) => `${r.id} ${r.healthy === false ? "unhealthy" : r.status}`).join(", ")}` };
  return { gate: "source_healthy", state: "green", detail: `${workload}: ${live.length} replica(s) running` };
}

/** Deterministic jobs: the source's latest finished replay must have matched (a replay is the re-run compared by witness root). */
export function replayMatch(workload: string, latest: { id: string; verdict: string | null } | undefined): GateResult {
  if (!latest) return { gate: "replay_match", state: "red", detail: `${workload} has no finished replay (enc replay RECEIPT first)` };
  if (latest.verdict !== "match") return { gate: "replay_match", state: "red", detail: `${workload}: replay ${latest.id} was ${latest.verdict ?? "not finished"}` };
  return { gate: "replay_match", state: "green", detail: `${workload}: replay ${latest.id} matched` };
}

/**
 * Why `approver` may not decide on `promo`, or undefined. Dual control: the author (the wallet that
 * signed the promote) never counts, nor does a wallet twice, nor a role below the pipeline's.
 */
export function approvalRefusal(promo: Promotion, approver: string, holdsRole: boolean, gates: PipelineGates): { status: number; detail: string } | undefined {
  if (promo.state !== "awaiting_approval") return { status: 409, detail: `promotion ${promo.id} is ${promo.state}; it takes no more decisions` };
  if (approver === promo.author) return { status: 403, detail: `dual control: ${approver} signed promotion ${promo.id} and cannot approve or reject it` };
  if (!holdsRole) return { status: 403, detail: `approving needs the ${gates.approvals.role} role in the cluster` };
  if (promo.approvals.some((a) => a.approver === approver)) return { status: 409, detail: `${approver} already decided on promotion ${promo.id}` };
  return undefined;
}

/** Yellow until `need` (the pipeline's count unless a security level raised it) distinct approvals, red on any rejection. */
export function approvalsGate(approvals: ApprovalRecord[], gates: PipelineGates, need = gates.approvals.count, why = ""): GateResult {
  const rejected = approvals.find((a) => a.decision === "reject");
  if (rejected) return { gate: "approvals", state: "red", detail: `rejected by ${rejected.approver}` };
  const n = approvals.filter((a) => a.decision === "approve").length;
  return { gate: "approvals", state: n >= need ? "green" : "yellow", detail: `${n} of ${need} approval(s) by distinct ${gates.approvals.role}s (never the author)${why}` };
}

/**
 * What a promotion makes of the target: the source's image, command and cage under the target's
 * name, replica counts and environment (a stage's configuration, e.g. its database URL, is its own).
 */
export function promotedSpec(source: WorkloadSpec, target: WorkloadSpec): WorkloadSpec {
  return {
    ...source,
    name: target.name,
    env: target.env,
    replicas: target.replicas,
    secondaries: target.secondaries,
    read_only_replicas: target.read_only_replicas,
    load_balancer_replicas: target.load_balancer_replicas,
    autoScaling: target.autoScaling,
  };
}

/** A workload's gateway traffic over a window, as the ClusterDO summed it from its buckets. */
export interface Traffic {
  requests: number;
  /** answered 5xx to the caller (the gateway's own 502/503 included) */
  errors: number;
  /** upstream attempts that failed (connection error or 502/503/504), retried or not */
  upstream_failures: number;
}

export const DEFAULT_MIN_REQUESTS = 10;
/** The error rate is read over at least this long: a shorter window sees too few requests to mean anything. */
export const MIN_ERROR_WINDOW_S = 10;

/** Where the error-rate window of a promotion starts now: the last healthy_for_s (at least 10 s), never before the change. */
export function errorWindowStart(appliedMs: number, now: number, gates: PipelineGates): number {
  return Math.max(appliedMs, now - Math.max(gates.healthy_for_s, MIN_ERROR_WINDOW_S) * 1000);
}

const pct = (n: number) => `${(Math.round(n * 10) / 10).toFixed(1)}%`;

/**
 * The gateway error-rate gate of one target: red once `min_requests` were seen and more than
 * `max_error_rate` percent were answered 5xx; green at or below it; yellow (waiting for traffic)
 * with fewer requests, red if that lasts to `verify_timeout_s` (no traffic proves nothing).
 */
export function errorRateGate(workload: string, t: Traffic, appliedMs: number, now: number, gates: PipelineGates): GateResult {
  const max = gates.max_error_rate ?? 100;
  const min = gates.min_requests ?? DEFAULT_MIN_REQUESTS;
  const windowS = Math.round((now - errorWindowStart(appliedMs, now, gates)) / 1000);
  const seen = `${t.errors} of ${t.requests} request(s) answered 5xx`;
  const fails = t.upstream_failures ? `, ${t.upstream_failures} upstream failure(s)` : "";
  if (t.requests >= min) {
    const rate = (100 * t.errors) / t.requests;
    const detail = `${workload}: ${seen} (${pct(rate)}, max ${max}%) in the last ${windowS}s${fails}`;
    return { gate: "error_rate", state: rate > max ? "red" : "green", detail };
  }
  if (now - appliedMs >= gates.verify_timeout_s * 1000) {
    return { gate: "error_rate", state: "red", detail: `${workload}: ${t.requests} gateway request(s) within ${gates.verify_timeout_s}s, fewer than the ${min} the error rate needs` };
  }
  return { gate: "error_rate", state: "yellow", detail: `${workload}: waiting for traffic, ${seen} in the last ${windowS}s (needs ${min})${fails}` };
}

/**
 * After the change: green once every live replica runs the new version, healthy, for
 * `healthy_for_s`; red if one of them failed or failed its check, or at `verify_timeout_s`.
 */
export function targetHealth(
  workload: string,
  version: number,
  replicas: ReplicaHealth[],
  appliedMs: number,
  healthySinceMs: number | null,
  now: number,
  gates: PipelineGates,
): { result: GateResult; healthySinceMs: number | null } {
  const fresh = replicas.filter((r) => r.version >= version);
  // A promoted service that exited (any code) is not serving: as red as a failure.
  const failed = fresh.filter((r) => r.status === "failed" || r.status === "exited" || r.healthy === false || r.backoff);
  const red = (detail: string) => ({ result: { gate: "target_healthy" as const, state: "red" as GateState, detail: `${workload}: ${detail}` }, healthySinceMs: null });
  if (failed.length) return red(`${failed.map((r) => `${r.id} ${r.status === "failed" || r.status === "exited" ? r.status : r.backoff ? "in back-off" : "unhealthy"}`).join(", ")} after the change`);
  const live = replicas.filter((r) => !r.retiring);
  const allUp = live.length > 0 && live.every((r) => r.version >= version && r.status === "running" && r.healthy !== false);
  const since = allUp ? (healthySinceMs ?? now) : null;
  if (since !== null && now - since >= gates.healthy_for_s * 1000) {
    return { result: { gate: "target_healthy", state: "green", detail: `${workload}: ${live.length} replica(s) of version ${version} healthy for ${gates.healthy_for_s}s` }, healthySinceMs: since };
  }
  if (now - appliedMs >= gates.verify_timeout_s * 1000) return red(`not healthy within ${gates.verify_timeout_s}s`);
  const detail = since === null ? `waiting for the replicas of version ${version}` : `healthy for ${Math.floor((now - since) / 1000)}s of ${gates.healthy_for_s}s`;
  return { result: { gate: "target_healthy", state: "yellow", detail: `${workload}: ${detail}` }, healthySinceMs: since };
}

/** The worst of several gate states: one red halts, any yellow waits. */
export function worst(states: GateState[]): GateState {
  return states.includes("red") ? "red" : states.includes("yellow") ? "yellow" : "green";
}
