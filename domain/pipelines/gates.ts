// The TrafficLight rules of a pipeline promotion, pure: the ClusterDO gives them what it holds
// (replica states, roles, replay verdicts) and records what they decide (durable-objects/cluster/pipelines.ts).
import type { ApprovalRecord, GateResult, GateState, Pipeline, PipelineGates, Promotion } from "../../protocol/api/pipeline.ts";

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

/** Yellow until `count` distinct approvals, red on any rejection. */
export function approvalsGate(approvals: ApprovalRecord[], gates: PipelineGates): GateResult {
  const rejected = approvals.find((a) => a.decision === "reject");
  if (rejected) return { gate: "approvals", state: "red", detail: `rejected by ${rejected.approver}` };
  const n = approvals.filter((a) => a.decision === "approve").length;
  const need = gates.approvals.count;
  return { gate: "approvals", state: n >= need ? "green" : "yellow", detail: `${n} of ${need} approval(s) by distinct ${gates.approvals.role}s (never the author)` };
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
