import { toHex, randomBytes } from "../../protocol/bytes.ts";
import { isoNow } from "../../protocol/time.ts";
import type { HeartbeatBody } from "../../protocol/api/agent.ts";
import { reject } from "../../domain/result.ts";
import type { ClusterCtx } from "./context.ts";
import type { ReplayView } from "./replay-store.ts";

export type { ReplayView };

/** Asks the node that produced `receipt` to rerun it and compare witness roots. */
export function requestReplay(ctx: ClusterCtx, actor: string, receipt: string, node: string, app: string): ReplayView {
  if (!ctx.nodes.get(node)) reject(404, `the node that produced ${receipt} is no longer in the cluster`, { field: "receipt" });
  const id = "rp-" + toHex(randomBytes(8));
  ctx.replays.add({ id, node, receipt, app, requested_by: actor, requested_at: isoNow() });
  ctx.audit.append(ctx.cluster, "ReplayRequested", actor, receipt, { replay: id, node, app });
  ctx.meta.bumpVersion();
  return getReplay(ctx, id)!;
}

export const getReplay = (ctx: ClusterCtx, id: string) => ctx.replays.get(id);

export const pendingReplays = (ctx: ClusterCtx, node: string) => ctx.replays.pendingOn(node);

/** Records what a node says about replays it was asked to run (others' replays are ignored). */
export function applyReplayReports(ctx: ClusterCtx, node: string, reports: HeartbeatBody["replays"]): void {
  for (const r of reports) {
    const row = getReplay(ctx, r.id);
    if (!row || row.node !== node || row.status !== "requested") continue;
    ctx.replays.finish(r.id, { verdict: r.verdict, replay_receipt: r.replay_receipt ?? null, detail: r.detail ?? null, finished_at: isoNow() });
    ctx.audit.append(ctx.cluster, "ReplayVerified", node, row.receipt, { replay: r.id, verdict: r.verdict, replay_receipt: r.replay_receipt ?? null });
  }
}
