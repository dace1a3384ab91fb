import type { Problem } from "./problem.ts";
import { problem } from "./problem.ts";

/**
 * DO RPC methods return results instead of throwing: an exception crossing RPC loses its class
 * and fields, while a problem must reach the user intact (status, detail, field).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const err = (status: number, detail: string, extra: Partial<Problem> = {}): Result<never> => ({
  ok: false,
  problem: problem(status, detail, extra),
});

/** Raised inside a DO transaction to abort it and answer with a problem. */
export class DomainError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export function reject(status: number, detail: string, extra: Partial<Problem> = {}): never {
  throw new DomainError(problem(status, detail, extra));
}

/** Runs `fn`, mapping DomainError to a failed Result; anything else is a bug and propagates. */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, problem: e.problem };
    throw e;
  }
}
