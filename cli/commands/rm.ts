import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";

export default defineCommand({
  args: { name: { description: "the workload", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc rm web"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { deleted } = await api.delete<{ deleted: string }>(routes.workload(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, deleted });
    ctx.out(`${ctx.style.ok} Deleted workload ${ctx.style.bold(deleted)} from cluster ${cluster}; its agents stop its containers.`);
  },
});
