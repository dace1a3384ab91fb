import { rendezvousScore } from "../../domain/scheduler/rendezvous.ts";

export interface Target {
  replica: string;
  node: string;
  endpoint: string;
}

const cursors = new Map<string, number>();
const inFlight = new Map<string, number>();

export const began = (replica: string) => inFlight.set(replica, (inFlight.get(replica) ?? 0) + 1);
export const ended = (replica: string) => inFlight.set(replica, Math.max(0, (inFlight.get(replica) ?? 1) - 1));

/**
 * Orders the targets to try for one request with the workload's algorithm: the first is the
 * choice, the rest are fallbacks. consistent_hashing keys on the client (rendezvous hashing),
 * least_connections on this isolate's in-flight count, the rest rotate.
 */
export function order(key: string, algorithm: string, targets: Target[], client: string): Target[] {
  if (targets.length <= 1) return targets;
  if (algorithm === "consistent_hashing") {
    return [...targets].sort((a, b) => rendezvousScore(key, client, b.replica) - rendezvousScore(key, client, a.replica));
  }
  if (algorithm === "least_connections") {
    return [...targets].sort((a, b) => (inFlight.get(a.replica) ?? 0) - (inFlight.get(b.replica) ?? 0) || a.replica.localeCompare(b.replica));
  }
  const start = (cursors.get(key) ?? -1) + 1;
  cursors.set(key, start % targets.length);
  return targets.map((_, i) => targets[(start + i) % targets.length]);
}
