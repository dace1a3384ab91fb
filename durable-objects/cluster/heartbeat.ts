import { isoNow } from "../../protocol/time.ts";
import type { ContainerReport, HeartbeatBody } from "../../protocol/api/agent.ts";
import { reject } from "../../domain/result.ts";
import { applyReplayReports } from "./replays.ts";
import { progressRollouts } from "./rollout.ts";
import { bumpVersion, placePending, type ClusterCtx } from "./workload-service.ts";

// A heartbeat sits above workloads, replays and rollouts (it drives all three), so it lives
// outside workload-service: replays and rollouts build on that module and must not loop back.
/** Applies what a node says about its containers; reports about other nodes' replicas are ignored. */
export function applyReports(ctx: ClusterCtx, node: string, reports: ContainerReport[]): void {
  const at = isoNow();
  for (const c of reports) {
    const r = ctx.workloads.replica(c.replica);
    if (!r || r.node !== node) continue;
    ctx.workloads.updateReplica(
      r.id,
      {
        status: c.status,
        exit_code: c.exit_code ?? null,
        endpoint: c.endpoint ?? r.endpoint,
        restarts: c.restarts,
        reason: c.reason ?? null,
        healthy: c.healthy === undefined ? null : c.healthy ? 1 : 0,
        cpu_percent: c.cpu_percent ?? null,
        ...(c.container ? { container: c.container } : {}),
      },
      at,
    );
  }
}

export function recordHeartbeat(ctx: ClusterCtx, node: string, body: HeartbeatBody, now: number): void {
  const n = ctx.nodes.get(node);
  if (!n) reject(404, "this node is not registered in the cluster");
  ctx.sql.exec("UPDATE nodes SET last_heartbeat = ?, usage = ? WHERE address = ?", now, JSON.stringify(body.usage), node);
  if (n.status === "down") {
    ctx.nodes.setStatus(node, "ready");
    ctx.audit.append(ctx.cluster, "NodeStatusChanged", node, node, { from: "down", to: "ready" });
  }
  applyReports(ctx, node, body.containers);
  applyReplayReports(ctx, node, body.replays);
  progressRollouts(ctx);
  if (placePending(ctx, "system") > 0) bumpVersion(ctx.sql);
}
