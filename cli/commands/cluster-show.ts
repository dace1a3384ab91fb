import { routes } from "../../protocol/routes.ts";
import type { Cluster } from "../lib/api-types.ts";
import { printCluster } from "../lib/cluster-view.ts";
import { defineCommand } from "../lib/command.ts";

export default defineCommand({
  args: { name: { description: "the cluster (default: the default cluster)" } },
  async run(ctx, { args }) {
    const name = ctx.cluster(args.name);
    const api = await ctx.client();
    const { cluster } = await api.get<{ cluster: Cluster }>(routes.cluster(name));
    if (ctx.json) return ctx.emit({ cluster });
    printCluster(ctx, cluster);
  },
});
