import {
  initialBreaker,
  recordFailure,
  recordSuccess,
  tryAcquire,
  breakerPhase,
  type BreakerOptions,
  type BreakerState,
} from "../../domain/scheduler/circuit-breaker.ts";

/**
 * Breakers live in the isolate: each Worker isolate learns on its own that a replica fails,
 * which is what a breaker is for (stop sending traffic fast), with no shared hot spot.
 */
export class Breakers {
  private readonly states = new Map<string, BreakerState>();

  constructor(private readonly opts: BreakerOptions = {}) {}

  acquire(replica: string, now: number): boolean {
    const { allowed, state } = tryAcquire(this.states.get(replica) ?? initialBreaker(), now, this.opts);
    this.states.set(replica, state);
    return allowed;
  }

  success(replica: string, now: number): void {
    this.states.set(replica, recordSuccess(this.states.get(replica) ?? initialBreaker(), now, this.opts));
  }

  failure(replica: string, now: number): void {
    this.states.set(replica, recordFailure(this.states.get(replica) ?? initialBreaker(), now, this.opts));
  }

  phase(replica: string, now: number): string {
    return breakerPhase(this.states.get(replica) ?? initialBreaker(), now, this.opts);
  }
}
