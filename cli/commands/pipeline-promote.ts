import { routes } from "../../protocol/routes.ts";
import type { Promotion } from "../../protocol/api/pipeline.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { printPromotion } from "../lib/pipeline-view.ts";

export default defineCommand({
  description:
    "Your wallet signs the promotion and is its author: it can never approve it (dual control).\n" +
    "Exits 1 if a gate before the change is red (the promotion is halted).",
  args: { name: { description: "the pipeline", required: true } },
  flags: { ...CLUSTER_FLAG, to: { type: "string", placeholder: "STAGE", description: "the stage to promote into (default: the second stage)" } },
  examples: ["enc pipeline promote web", "enc pipeline promote web --to production"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const { promotion } = await (await ctx.client()).post<{ promotion: Promotion }>(routes.promotions(cluster, args.name), flags.to ? { to: flags.to } : {});
    const code = promotion.state === "halted" ? 1 : 0;
    if (ctx.json) {
      ctx.emit({ cluster, pipeline: args.name, promotion });
      return code;
    }
    printPromotion(ctx, promotion);
    if (promotion.state === "awaiting_approval") ctx.out(ctx.style.dim(`Approve with \`enc pipeline approve ${args.name} ${promotion.id}\` (another wallet).`));
    return code;
  },
});
