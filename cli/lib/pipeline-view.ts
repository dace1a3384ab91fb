// What `enc pipeline …` prints: each gate as a traffic light.
import type { GateState, Pipeline, Promotion } from "../../protocol/api/pipeline.ts";
import type { Context } from "./context.ts";

export function light(ctx: Context, state: GateState): string {
  const s = ctx.style;
  return state === "green" ? s.green("● green ") : state === "yellow" ? s.yellow("● yellow") : s.red("● red   ");
}

export function printPromotion(ctx: Context, p: Promotion): void {
  const s = ctx.style;
  ctx.out(`${s.bold(p.id)}  ${p.from} → ${p.to}${p.target_cluster ? ` (cluster ${p.target_cluster})` : ""}  ${s.bold(p.state)}  by ${p.author} at ${p.created_at}`);
  for (const g of p.gates) ctx.out(`  ${light(ctx, g.state)}  ${g.gate.padEnd(15)} ${g.detail}`);
  for (const a of p.approvals) ctx.out(s.dim(`  ${a.decision === "approve" ? "approved" : "rejected"} by ${a.approver} at ${a.at} (audit seq ${a.audit_seq})`));
  for (const c of p.changes) ctx.out(s.dim(`  ${c.source} → ${c.target}: ${c.image}, version ${c.from_version} → ${c.to_version ?? "(not applied)"}`));
}

export function printPipeline(ctx: Context, p: Pipeline): void {
  const s = ctx.style;
  ctx.out(`${s.bold(p.name)}: ${p.stages.map((st) => `${st.name}${st.production ? " (production)" : ""} [${st.cluster ? `${st.cluster}:` : ""}${st.workloads.join(", ")}]`).join(" → ")}`);
  const g = p.gates;
  ctx.out(
    s.dim(
      `gates: ${g.approvals.count} approval(s) by distinct ${g.approvals.role}s, never the author; target healthy for ${g.healthy_for_s}s within ${g.verify_timeout_s}s` +
        (g.max_error_rate !== undefined ? `; gateway 5xx at most ${g.max_error_rate}% (after ${g.min_requests ?? 10} requests)` : "") +
        (g.replay_match ? "; source replay MATCH" : ""),
    ),
  );
  if (p.promotions.length === 0) return ctx.out("No promotions yet.");
  for (const promo of [...p.promotions].reverse()) printPromotion(ctx, promo);
}
