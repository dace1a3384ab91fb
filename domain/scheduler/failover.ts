import type { ReplicaStatus, ReplicaType } from "./types.ts";

export type Liveness = "ready" | "suspect" | "down";

/**
 * A node is ready while its last heartbeat is at most `ttlMs` old, suspect for a further
 * `graceMs` (no new placements, nothing moved yet: a GC pause or a reconnect should not trigger
 * a failover), and down after that. A node that never sent a heartbeat is down.
 */
export function nodeLiveness(lastHeartbeatMs: number | null | undefined, now: number, ttlMs = 10_000, graceMs = 10_000): Liveness {
  if (lastHeartbeatMs === null || lastHeartbeatMs === undefined || !Number.isFinite(lastHeartbeatMs)) return "down";
  const age = now - lastHeartbeatMs;
  return age <= ttlMs ? "ready" : age <= ttlMs + graceMs ? "suspect" : "down";
}

export interface FailoverReplica {
  id: string;
  workload: string;
  type: ReplicaType;
  status: ReplicaStatus;
  nodeId: string | null;
}

export type FailoverAction =
  /** The secondary becomes the workload's primary, in place on its healthy node. */
  | { kind: "promote"; workload: string; replicaId: string; nodeId: string; replaces: string }
  /** Place a fresh secondary (restores the count a promotion used up). */
  | { kind: "create"; workload: string; replicaType: "secondary"; replaces: string }
  /** Place this replica again elsewhere; its record keeps its id and type. */
  | { kind: "reschedule"; workload: string; replicaId: string; replicaType: ReplicaType; fromNode: string }
  /** Drop the replica's record: it was promoted away from, or was being stopped anyway. */
  | { kind: "retire"; workload: string; replicaId: string; fromNode: string };

const ACTIVE: ReadonlySet<ReplicaStatus> = new Set(["pending", "starting", "running"]);

/**
 * What to do about the replicas on nodes that went down. A lost primary hands over to a running
 * secondary on a healthy node (the lowest id, so the choice is reproducible; each secondary covers
 * one primary) and a new secondary is ordered; with no such secondary the primary itself is
 * rescheduled. Every other lost active replica is rescheduled; a lost one that was stopping is
 * retired; exited and failed replicas are history and left alone.
 */
export function planFailover(replicas: readonly FailoverReplica[], downNodes: Iterable<string>): FailoverAction[] {
  const down = new Set(downNodes);
  const isLost = (r: FailoverReplica) => r.nodeId !== null && down.has(r.nodeId);
  const sorted = [...replicas].sort((a, b) => cmp(a.workload, b.workload) || cmp(a.id, b.id));
  // Heirs per workload in id order; a promotion takes the first one left.
  const heirs = new Map<string, FailoverReplica[]>();
  for (const s of sorted) {
    if (s.type !== "secondary" || s.status !== "running" || s.nodeId === null || isLost(s)) continue;
    const list = heirs.get(s.workload);
    if (list) list.push(s);
    else heirs.set(s.workload, [s]);
  }
  const actions: FailoverAction[] = [];
  for (const r of sorted) {
    if (!isLost(r)) continue;
    const fromNode = r.nodeId!;
    if (r.status === "stopping") {
      actions.push({ kind: "retire", workload: r.workload, replicaId: r.id, fromNode });
      continue;
    }
    if (!ACTIVE.has(r.status)) continue;
    if (r.type === "primary") {
      const heir = heirs.get(r.workload)?.shift();
      if (heir) {
        actions.push(
          { kind: "promote", workload: r.workload, replicaId: heir.id, nodeId: heir.nodeId!, replaces: r.id },
          { kind: "retire", workload: r.workload, replicaId: r.id, fromNode },
          { kind: "create", workload: r.workload, replicaType: "secondary", replaces: heir.id },
        );
        continue;
      }
    }
    actions.push({ kind: "reschedule", workload: r.workload, replicaId: r.id, replicaType: r.type, fromNode });
  }
  return actions;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
