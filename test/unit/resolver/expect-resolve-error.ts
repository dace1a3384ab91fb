import { expect } from "vitest";
import { ResolveError } from "../../../protocol/rootzk/errors.ts";

/** Runs `f`, asserting it throws a ResolveError, and returns that error for closer checks. */
export function err(f: () => unknown): ResolveError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ResolveError);
    return e as ResolveError;
  }
  throw new Error("expected a ResolveError");
}
