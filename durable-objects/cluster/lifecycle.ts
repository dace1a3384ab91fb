import { isoNow } from "../../protocol/time.ts";
import type { Node } from "../../protocol/api/node.ts";
import { reject } from "../../domain/result.ts";
import { nodeLiveness, planFailover, type FailoverAction } from "../../domain/scheduler/failover.ts";
import type { ReplicaType } from "../../domain/scheduler/types.ts";
import type { ClusterCtx } from "./context.ts";
import { addReplicas, placePending } from "./workload-service.ts";

const lastHeartbeat = (ctx: ClusterCtx, n: Node): number | null => {
  // A node that never spoke is judged from when it joined, so it gets one TTL to start.
  return ctx.nodes.reported(n.address)?.last_heartbeat ?? Date.parse(n.joined_at);
};

/**
 * Marks silent nodes Down (heartbeat TTL + grace) and moves their replicas: a lost primary is
 * replaced by promoting its running secondary (ReplicaFailover) and a new secondary is ordered;
 * everything else is rescheduled. Returns true when the desired state changed.
 */
export function checkLiveness(ctx: ClusterCtx, now: number): boolean {
  const ttl = ctx.config.heartbeat_ttl_s * 1000;
  const grace = ctx.config.heartbeat_grace_s * 1000;
  const down: string[] = [];
  for (const n of ctx.nodes.list()) {
    if (n.status === "down") continue;
    const hb = lastHeartbeat(ctx, n);
    if (nodeLiveness(hb, now, ttl, grace) !== "down") continue;
    ctx.nodes.setStatus(n.address, "down");
    ctx.audit.append(ctx.cluster, "NodeStatusChanged", "system", n.address, {
      from: n.status,
      to: "down",
      last_heartbeat: hb == null ? null : new Date(hb).toISOString(),
      ttl_s: ctx.config.heartbeat_ttl_s,
      grace_s: ctx.config.heartbeat_grace_s,
    });
    down.push(n.address);
  }
  if (down.length === 0) return false;
  moveReplicasOff(ctx, down, "node down", true);
  return true;
}

/**
 * Moves the replicas off `nodes`. For a node that went down (`keepIfNowhere`), a replica that no
 * other node can take stays bound to it; a drain evicts regardless (the replica waits unplaced).
 */
export function moveReplicasOff(ctx: ClusterCtx, nodes: string[], why: string, keepIfNowhere = false): void {
  const replicas = ctx.workloads.allReplicas().map((r) => ({
    id: r.id,
    workload: r.workload,
    type: r.replica_type as ReplicaType,
    status: r.status,
    nodeId: r.node,
  }));
  const actions = planFailover(replicas, nodes);
  const seenBefore = new Map(ctx.workloads.allReplicas().map((r) => [r.id, r.restarts_seen]));
  for (const a of actions) apply(ctx, a, why);
  placePending(ctx, "system");
  // A replica no other node can take stays bound to its node (like a pod that cannot be
  // evicted anywhere): if the node comes back, its containers are still wanted there and are
  // not restarted for nothing. It moves as soon as room appears elsewhere.
  const at = isoNow();
  for (const a of actions) {
    if (!keepIfNowhere || a.kind !== "reschedule" || ctx.workloads.replica(a.replicaId)?.node) continue;
    const reason = `${why}; no other node fits, waiting (${ctx.workloads.replica(a.replicaId)?.reason ?? "no room"})`;
    ctx.workloads.updateReplica(a.replicaId, { node: a.fromNode, reason, restarts_seen: seenBefore.get(a.replicaId) ?? 0 }, at);
  }
  ctx.meta.bumpVersion();
}

function apply(ctx: ClusterCtx, a: FailoverAction, why: string): void {
  const at = isoNow();
  switch (a.kind) {
    case "promote":
      ctx.workloads.updateReplica(a.replicaId, { replica_type: "primary" }, at);
      ctx.audit.append(ctx.cluster, "ReplicaFailover", "system", a.workload, { promoted: a.replicaId, node: a.nodeId, replaces: a.replaces, reason: why });
      return;
    case "retire":
      ctx.workloads.removeReplica(a.replicaId);
      return;
    case "create":
      addReplicas(ctx, "system", a.workload, "secondary", 1, at);
      return;
    case "reschedule": {
      // One that was being retired is not worth moving; one an `enc rm` waits for goes unconfirmed.
      const r = ctx.workloads.replica(a.replicaId);
      if (r?.stopping) ctx.audit.append(ctx.cluster, "ReplicaStopUnconfirmed", "system", r.id, { workload: r.workload, node: a.fromNode, reason: `${why}: dropped before it reported ${r.id} stopped` });
      if (r?.retire_at != null) return ctx.workloads.removeReplica(a.replicaId);
      // A replica that ran is re-created where it lands: its first report there counts one restart
      // (keptRestarts: what a node reports is counted from restarts_seen), even if the old node
      // never restarted it.
      ctx.workloads.updateReplica(a.replicaId, { node: null, status: "pending", reason: `${why}: moved from ${a.fromNode}`, healthy: null, ...(r && r.status !== "pending" ? { restarts_seen: -1 } : {}) }, at);
      return;
    }
  }
}

/** cordon: no new placements; drain: also move its replicas away; ready: back in service. */
export function setNodeMode(ctx: ClusterCtx, actor: string, address: string, mode: "cordoned" | "draining" | "ready"): Node {
  const n = ctx.nodes.get(address);
  if (!n) reject(404, `no node ${address}`, { field: "node" });
  if (n.status === "down" && mode === "ready") reject(409, "a down node comes back by sending heartbeats", { field: "node" });
  if (n.status !== mode) {
    ctx.nodes.setStatus(address, mode);
    ctx.audit.append(ctx.cluster, "NodeStatusChanged", actor, address, { from: n.status, to: mode });
  }
  if (mode === "draining") moveReplicasOff(ctx, [address], "node drained");
  else if (mode === "ready" && placePending(ctx, "system") > 0) ctx.meta.bumpVersion();
  return ctx.nodes.get(address)!;
}

/**
 * Takes a node out of the cluster for good: its row goes (the caller revokes its key in the same
 * transaction) and its replicas are rescheduled as if it had gone down, but nothing stays bound
 * to it: it will never come back under this key.
 */
export function removeNode(ctx: ClusterCtx, actor: string, address: string): Node {
  const n = ctx.nodes.get(address);
  if (!n) reject(404, `no node ${address}`, { field: "node" });
  ctx.nodes.remove(address);
  ctx.events.forgetNode(address);
  ctx.audit.append(ctx.cluster, "NodeRemoved", actor, address, { status: n.status, replicas: ctx.workloads.replicasOn(address).map((r) => r.id) });
  moveReplicasOff(ctx, [address], "node removed");
  return n;
}
