/**
 * Per-replica circuit breaker, as pure functions over a JSON-serializable state:
 *
 *   closed ──N consecutive failures──▶ open ──openMs elapsed──▶ half_open
 *   half_open ──trial succeeds──▶ closed      half_open ──trial fails──▶ open (timer restarts)
 *
 * In half_open exactly one trial request is let through; the others are refused until it
 * reports. A trial that never reports (its caller died) is presumed failed after another openMs,
 * so a lost result cannot wedge the breaker half-open forever. Time is always passed in.
 */

export type BreakerPhase = "closed" | "open" | "half_open";

export interface BreakerState {
  phase: BreakerPhase;
  /** Consecutive failures while closed. */
  failures: number;
  /** When the breaker last opened (ms); null while closed. */
  openedAt: number | null;
  /** When the half-open trial was let through (ms); null when none is in flight. */
  trialSince: number | null;
}

export interface BreakerOptions {
  failureThreshold?: number;
  openMs?: number;
}

const threshold = (o?: BreakerOptions) => o?.failureThreshold ?? 5;
const openMs = (o?: BreakerOptions) => o?.openMs ?? 30_000;

export function initialBreaker(): BreakerState {
  return { phase: "closed", failures: 0, openedAt: null, trialSince: null };
}

/** The phase as of `now`: an open breaker whose timer ran out reads as half_open. */
export function breakerPhase(s: BreakerState, now: number, o?: BreakerOptions): BreakerPhase {
  return s.phase === "open" && s.openedAt !== null && now - s.openedAt >= openMs(o) ? "half_open" : s.phase;
}

/** May a request go to this replica now? If it is the half-open trial, the state records it. */
export function tryAcquire(s: BreakerState, now: number, o?: BreakerOptions): { allowed: boolean; state: BreakerState } {
  const phase = breakerPhase(s, now, o);
  if (phase === "closed") return { allowed: true, state: s };
  if (phase === "open") return { allowed: false, state: s };
  const trialLost = s.trialSince !== null && now - s.trialSince >= openMs(o);
  if (s.phase === "half_open" && s.trialSince !== null && !trialLost) return { allowed: false, state: s };
  return { allowed: true, state: { ...s, phase: "half_open", trialSince: now } };
}

export function recordSuccess(s: BreakerState, now: number, o?: BreakerOptions): BreakerState {
  const phase = breakerPhase(s, now, o);
  // A late success from before the breaker opened says nothing about the replica now.
  if (phase === "open") return s;
  if (phase === "half_open" && s.trialSince === null) return s;
  return initialBreaker();
}

export function recordFailure(s: BreakerState, now: number, o?: BreakerOptions): BreakerState {
  const phase = breakerPhase(s, now, o);
  if (phase === "open") return s;
  if (phase === "half_open") {
    return s.trialSince === null ? s : { phase: "open", failures: s.failures, openedAt: now, trialSince: null };
  }
  const failures = s.failures + 1;
  return failures >= threshold(o)
    ? { phase: "open", failures, openedAt: now, trialSince: null }
    : { ...s, failures };
}
