import { routes } from "../../protocol/routes.ts";
import type { Cluster } from "../lib/api-types.ts";
import { printCluster } from "../lib/cluster-view.ts";
import { defineCommand } from "../lib/command.ts";

export default defineCommand({
  description:
    "From now on the cluster's LogBlocks and audit entries carry an ML-DSA-65 co-signature next to\n" +
    "the Ed25519 one (PROTOCOL.md §15). There is no way back: verifiers rely on it staying on.",
  args: { name: { description: "the cluster (default: the default cluster)" } },
  async run(ctx, { args }) {
    const name = ctx.cluster(args.name);
    const api = await ctx.client();
    const { cluster } = await api.post<{ cluster: Cluster }>(routes.quantumSafe(name), {});
    if (ctx.json) return ctx.emit({ cluster });
    ctx.out(`${ctx.style.ok} ${ctx.style.bold(cluster.name)} is quantum-safe: its blocks and audit entries are co-signed with ML-DSA-65.\n`);
    printCluster(ctx, cluster);
  },
});
