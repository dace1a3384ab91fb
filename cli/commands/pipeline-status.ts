import { routes } from "../../protocol/routes.ts";
import type { Pipeline } from "../../protocol/api/pipeline.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { printPipeline } from "../lib/pipeline-view.ts";

export default defineCommand({
  description: "Gates are evaluated when asked: a health gate may turn green or red (and roll back) on this read.",
  args: { name: { description: "the pipeline", required: true } },
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const { pipeline } = await (await ctx.client()).get<{ pipeline: Pipeline }>(routes.pipeline(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, pipeline });
    printPipeline(ctx, pipeline);
  },
});
