import { describe, expect, it } from "vitest";
import {
  breakerPhase, initialBreaker, recordFailure, recordSuccess, tryAcquire, type BreakerState,
} from "../../../domain/scheduler/circuit-breaker.ts";

const failTimes = (s: BreakerState, n: number, now: number) => {
  for (let k = 0; k < n; k++) s = recordFailure(s, now);
  return s;
};

describe("circuit breaker", () => {
  it("opens after 5 consecutive failures; a success resets the count", () => {
    let s = failTimes(initialBreaker(), 4, 0);
    expect(s).toMatchObject({ phase: "closed", failures: 4 });
    s = recordSuccess(s, 1);
    expect(s.failures).toBe(0);
    s = failTimes(s, 5, 2);
    expect(s).toEqual({ phase: "open", failures: 5, openedAt: 2, trialSince: null });
    expect(tryAcquire(s, 3).allowed).toBe(false);
  });

  it("honours a custom threshold", () => {
    expect(failTimes(initialBreaker(), 2, 0, ).phase).toBe("closed");
    expect(recordFailure(recordFailure(initialBreaker(), 0, { failureThreshold: 2 }), 0, { failureThreshold: 2 }).phase).toBe("open");
  });

  it("goes half-open after 30 s and lets exactly one trial through", () => {
    const open = failTimes(initialBreaker(), 5, 1000);
    expect(breakerPhase(open, 30_999)).toBe("open");
    expect(breakerPhase(open, 31_000)).toBe("half_open");
    const first = tryAcquire(open, 31_000);
    expect(first.allowed).toBe(true);
    expect(first.state).toMatchObject({ phase: "half_open", trialSince: 31_000 });
    expect(tryAcquire(first.state, 31_001).allowed).toBe(false);
    expect(JSON.parse(JSON.stringify(first.state))).toEqual(first.state);
  });

  it("closes when the trial succeeds and re-opens when it fails", () => {
    const trial = tryAcquire(failTimes(initialBreaker(), 5, 0), 30_000).state;
    expect(recordSuccess(trial, 30_100)).toEqual(initialBreaker());
    const reopened = recordFailure(trial, 30_100);
    expect(reopened).toMatchObject({ phase: "open", openedAt: 30_100, trialSince: null });
    expect(tryAcquire(reopened, 59_000).allowed).toBe(false);
    expect(tryAcquire(reopened, 60_100).allowed).toBe(true);
  });

  it("ignores late results that were not the trial", () => {
    const open = failTimes(initialBreaker(), 5, 0);
    expect(recordSuccess(open, 10)).toBe(open);
    expect(recordFailure(open, 10)).toBe(open);
    expect(recordSuccess(open, 40_000)).toBe(open); // half-open in time, but no trial went out
  });

  it("presumes a trial that never reported failed after another 30 s", () => {
    const trial = tryAcquire(failTimes(initialBreaker(), 5, 0), 30_000).state;
    expect(tryAcquire(trial, 59_999).allowed).toBe(false);
    const retry = tryAcquire(trial, 60_000);
    expect(retry).toMatchObject({ allowed: true, state: { trialSince: 60_000 } });
  });
});
