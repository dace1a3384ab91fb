import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { decide } from "../lib/pipeline-decide.ts";

export default defineCommand({
  description: "Needs the pipeline's approver role; the promotion's author is refused (dual control). Audited as PipelineApproval with your request's signature.",
  args: { name: { description: "the pipeline", required: true }, id: { description: "the promotion (pr-…)", required: true } },
  flags: { ...CLUSTER_FLAG, comment: { type: "string", placeholder: "TEXT", description: "recorded with the decision" } },
  async run(ctx, { args, flags }) {
    await decide(ctx, ctx.cluster(flags.cluster), args.name, args.id, "reject", flags.comment);
  },
});
