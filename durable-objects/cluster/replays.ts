import { toHex, randomBytes } from "../../protocol/bytes.ts";
import { isoNow } from "../../protocol/time.ts";
import type { HeartbeatBody } from "../../domain/schemas/agent.ts";
import { reject } from "../../domain/result.ts";
import { all, one } from "../shared/rows.ts";
import { bumpVersion, type ClusterCtx } from "./workload-service.ts";

export interface ReplayView {
  id: string;
  node: string;
  receipt: string;
  app: string;
  status: "requested" | "done";
  verdict: "match" | "mismatch" | "error" | null;
  replay_receipt: string | null;
  detail: string | null;
  requested_by: string;
  requested_at: string;
  finished_at: string | null;
}

/** Asks the node that produced `receipt` to rerun it and compare witness roots. */
export function requestReplay(ctx: ClusterCtx, actor: string, receipt: string, node: string, app: string): ReplayView {
  if (!ctx.nodes.get(node)) reject(404, `the node that produced ${receipt} is no longer in the cluster`, { field: "receipt" });
  const id = "rp-" + toHex(randomBytes(8));
  ctx.sql.exec(
    "INSERT INTO replays (id, node, receipt, app, status, requested_by, requested_at) VALUES (?, ?, ?, ?, 'requested', ?, ?)",
    id, node, receipt, app, actor, isoNow(),
  );
  ctx.audit.append(ctx.cluster, "ReplayRequested", actor, receipt, { replay: id, node, app });
  bumpVersion(ctx.sql);
  return getReplay(ctx, id)!;
}

export const getReplay = (ctx: ClusterCtx, id: string) => one<ReplayView>(ctx.sql, "SELECT * FROM replays WHERE id = ?", id);

export const pendingReplays = (ctx: ClusterCtx, node: string) =>
  all<{ id: string; receipt: string; app: string }>(ctx.sql, "SELECT id, receipt, app FROM replays WHERE node = ? AND status = 'requested' ORDER BY requested_at", node);

/** Records what a node says about replays it was asked to run (others' replays are ignored). */
export function applyReplayReports(ctx: ClusterCtx, node: string, reports: HeartbeatBody["replays"]): void {
  for (const r of reports) {
    const row = getReplay(ctx, r.id);
    if (!row || row.node !== node || row.status !== "requested") continue;
    ctx.sql.exec(
      "UPDATE replays SET status = 'done', verdict = ?, replay_receipt = ?, detail = ?, finished_at = ? WHERE id = ?",
      r.verdict, r.replay_receipt ?? null, r.detail ?? null, isoNow(), r.id,
    );
    ctx.audit.append(ctx.cluster, "ReplayVerified", node, row.receipt, { replay: r.id, verdict: r.verdict, replay_receipt: r.replay_receipt ?? null });
  }
}
