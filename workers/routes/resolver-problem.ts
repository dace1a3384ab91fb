// ResolveError (the resolver's pure logic) → the Worker's RFC 9457 problems.
import { ProblemException, type Problem } from "../../domain/problem.ts";
import { isResolveError, type ResolveError } from "../../domain/resolver/index.ts";

/**
 * For /v1/resolve: `field` names the request input ("name" unless given), `part` the piece of
 * the name at fault (host, port, path, did, service…). A did:web host that fails us (resolver
 * statuses 500) is an upstream failure: 502, not our 500.
 */
export function resolveProblem(e: ResolveError, field = "name"): Problem {
  const p = e.toProblem();
  const status = p.status === 500 ? 502 : p.status;
  return { ...p, status, title: status === 502 ? "Bad Gateway" : p.title, field, ...(e.field ? { part: e.field } : {}) };
}

/** Runs f; a ResolveError becomes a ProblemException for the single onError. */
export async function resolving<T>(f: () => Promise<T> | T, field = "name"): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isResolveError(e)) throw new ProblemException(resolveProblem(e, field));
    throw e;
  }
}
