import type { HeartbeatBody } from "../../protocol/api/agent.ts";
import { reject } from "../../domain/result.ts";
import type { ClusterCtx } from "./context.ts";
import { checkEndpoints } from "./replica-endpoint.ts";
import { applyReplayReports } from "./replays.ts";
import { progressRollouts } from "./rollout.ts";
import { applyReports, finishDeletes, placePending, recordAgentEvents } from "./workload-service.ts";

export function recordHeartbeat(ctx: ClusterCtx, node: string, body: HeartbeatBody, now: number): void {
  const n = ctx.nodes.get(node);
  if (!n) reject(404, `no node ${node} in cluster ${ctx.cluster}`, { field: "node" });
  checkEndpoints(body.containers, n.endpoint);
  ctx.nodes.heartbeat(node, now, body.usage);
  if (n.status === "down") {
    ctx.nodes.setStatus(node, "ready");
    ctx.audit.append(ctx.cluster, "NodeStatusChanged", node, node, { from: "down", to: "ready" });
  }
  // Events first: a replica's last events (its exit) count even if this report retires it.
  recordAgentEvents(ctx, node, body.events);
  applyReports(ctx, node, body.containers);
  finishDeletes(ctx);
  applyReplayReports(ctx, node, body.replays);
  progressRollouts(ctx, now);
  if (placePending(ctx, "system") > 0) ctx.meta.bumpVersion();
}
