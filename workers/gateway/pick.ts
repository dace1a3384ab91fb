import { rendezvousScore } from "../../domain/scheduler/rendezvous.ts";

export interface Target {
  replica: string;
  node: string;
  endpoint: string;
}

const cursors = new Map<string, number>();
// Keyed by `cluster/workload` and replica: replica ids ("web-1") repeat across clusters.
const inFlight = new Map<string, number>();
const slot = (key: string, replica: string) => `${key}\0${replica}`;

export const began = (key: string, replica: string) => inFlight.set(slot(key, replica), (inFlight.get(slot(key, replica)) ?? 0) + 1);
export const ended = (key: string, replica: string) => inFlight.set(slot(key, replica), Math.max(0, (inFlight.get(slot(key, replica)) ?? 1) - 1));

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
    return [...targets].sort((a, b) => (inFlight.get(slot(key, a.replica)) ?? 0) - (inFlight.get(slot(key, b.replica)) ?? 0) || a.replica.localeCompare(b.replica));
  }
  const start = (cursors.get(key) ?? -1) + 1;
  cursors.set(key, start % targets.length);
  return targets.map((_, i) => targets[(start + i) % targets.length]);
}
