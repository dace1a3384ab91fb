import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { requireAddress } from "../lib/values.ts";

export default defineCommand({
  args: { address: { description: "the wallet address, bpi1…", required: true } },
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { args, flags }) {
    const address = requireAddress(args.address);
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { revoked } = await api.delete<{ revoked: { address: string; role: string } }>(routes.role(cluster, address));
    if (ctx.json) return ctx.emit({ cluster, revoked });
    ctx.out(`${ctx.style.ok} Revoked ${ctx.style.bold(revoked.role)} from ${address} in cluster ${cluster}.`);
  },
});
