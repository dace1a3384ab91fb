import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";

export default defineCommand({
  args: { name: { description: "the policy", required: true } },
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const res = await api.delete<{ removed: string; hash: string }>(routes.policy(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, ...res });
    ctx.out(`${ctx.style.ok} Removed policy ${ctx.style.bold(res.removed)} (${res.hash}) from cluster ${cluster}.`);
  },
});
