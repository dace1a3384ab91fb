import { routes } from "../../protocol/routes.ts";
import type { Promotion } from "../../protocol/api/pipeline.ts";
import type { Context } from "./context.ts";
import { printPromotion } from "./pipeline-view.ts";

/** approve | reject: the request your wallet signs is the approval the audit log keeps. */
export async function decide(ctx: Context, cluster: string, pipeline: string, id: string, decision: "approve" | "reject", comment?: string): Promise<void> {
  const { promotion } = await (await ctx.client()).post<{ promotion: Promotion }>(routes.promotionDecision(cluster, pipeline, id, decision), comment ? { comment } : {});
  if (ctx.json) return ctx.emit({ cluster, pipeline, promotion });
  ctx.out(`${ctx.style.ok} ${decision === "approve" ? "Approved" : "Rejected"} ${id}: it is now ${ctx.style.bold(promotion.state)}.`);
  printPromotion(ctx, promotion);
}
