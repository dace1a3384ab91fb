import { routes } from "../../protocol/routes.ts";
import type { Policy } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { printPolicy } from "../lib/policy-view.ts";

export default defineCommand({
  args: { name: { description: "the policy", required: true } },
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { policy } = await api.get<{ policy: Policy }>(routes.policy(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, policy });
    printPolicy(ctx, policy);
  },
});
