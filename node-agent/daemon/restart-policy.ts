// When a replica's container ends: does it run again, and after how long? never / on-failure /
// always as Kubernetes has them, with a capped exponential back-off that resets once a
// container has stayed up long enough to count as healthy.
import type { ReplicaRecord } from "./records.ts";
import type { ReplicaBackOff } from "../../protocol/api/workload.ts";
import { toIso } from "../../protocol/time.ts";

export type RestartPolicy = "never" | "on-failure" | "always";

export interface Outcome {
  exitCode: number | null;
  /** exited | oom | killed | lost | failed_to_start | pull_failed | create_failed | abandoned */
  reason: string;
  /** how long the container ran, ms (0 if it never started) */
  ranMs: number;
  /** the underlying error, e.g. a pull's "layer sha256:… digest mismatch" */
  error?: string;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** a container that ran this long resets the back-off */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000, resetAfterMs: 10_000 };

export const succeeded = (o: Outcome): boolean => o.exitCode === 0 && o.reason === "exited";

export function shouldRestart(policy: RestartPolicy, o: Outcome, stoppedByAgent: boolean): boolean {
  if (stoppedByAgent || policy === "never") return false;
  return policy === "always" || !succeeded(o);
}

/** Delay before the next start, given how many quick failures came before (0 for the first). */
export function backoffDelay(crashes: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(crashes, 30));
}

/** The crash-loop count after this outcome: a long enough run starts counting afresh. */
export function nextCrashCount(prev: number, o: Outcome, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return o.ranMs >= opts.resetAfterMs ? 0 : prev + 1;
}

/**
 * Records how a container ended in its replica and decides what follows: the delay before the
 * next start (null: it stays ended, "exited" or "failed"). A container the agent stopped itself
 * is never restarted; an image that could not be pulled never ran, so it is retried whatever
 * the policy.
 */
export function applyOutcome(rec: ReplicaRecord, id: string, o: Outcome, opts: BackoffOptions, now = Date.now()): number | null {
  const stopped = rec.stop_reason !== null;
  Object.assign(rec, { handled: id, exit_code: o.exitCode, reason: stopped ? `stopped: ${rec.stop_reason}` : o.reason, error: o.error ?? null, stop_reason: null });
  if (!shouldRestart(rec.spec.restart, o, stopped) && !(o.reason === "pull_failed" && !stopped)) {
    Object.assign(rec, { phase: succeeded(o) || stopped ? "exited" : "failed", next_start_ms: null, loop: null });
    return null;
  }
  rec.crashes = nextCrashCount(rec.crashes, o, opts);
  const delay = rec.crashes === 0 ? 0 : backoffDelay(rec.crashes - 1, opts);
  Object.assign(rec, { phase: "backoff", next_start_ms: now + delay });
  rec.loop = rec.crashes === 0 ? null : loopState(rec);
  return delay;
}

/** What went wrong, in the words a user needs: "exited 3", the pull's own error, … */
export function failureReason(rec: Pick<ReplicaRecord, "reason" | "exit_code" | "error">): string {
  const err = rec.error ? `: ${rec.error}` : "";
  switch (rec.reason) {
    case "pull_failed":
      return rec.error ?? "image pull failed";
    case "create_failed":
      return `cannot create the container${err}`;
    case "failed_to_start":
      return `failed to start${err}`;
    case "oom":
      return "out of memory (OOM-killed)";
    case "exited":
      return `exited ${rec.exit_code ?? "?"}`;
    default:
      return `${rec.reason ?? "ended"}${rec.exit_code !== null ? ` (exit ${rec.exit_code})` : ""}${err}`;
  }
}

/** The loop a quick failure puts the replica in (at the restart decision, before the back-off). */
export function loopState(rec: ReplicaRecord): ReplicaBackOff {
  return {
    state: rec.reason === "pull_failed" ? "ImagePullBackOff" : "CrashLoopBackOff",
    reason: failureReason(rec).slice(0, 1000),
    next_retry_at: toIso(rec.next_start_ms ?? Date.now()),
    failures: rec.crashes,
  };
}
