import { routes } from "../../protocol/routes.ts";
import type { ClusterNode } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { resolveNode } from "../lib/node-mode.ts";

export default defineCommand({
  description:
    "ADDRESS is a node's wallet address, or an unambiguous start of it. The node's key is revoked at once (its heartbeats, " +
    "receipts and log pushes are refused from then on) and its replicas are rescheduled on other nodes. " +
    "To bring the machine back, join it again with a new join token.",
  args: { address: { description: "the node, bpi1…", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc nodes remove bpi1… --cluster demo"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const address = await resolveNode(api, cluster, args.address);
    const { removed } = await api.delete<{ removed: ClusterNode }>(routes.node(cluster, address));
    if (ctx.json) return ctx.emit({ cluster, removed });
    ctx.out(`${ctx.style.ok} Removed node ${removed.address} from ${cluster}: its key is revoked and its replicas are being rescheduled.`);
  },
});
