import { routes } from "../../protocol/routes.ts";
import type { Replica } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { replicaTable, statusCounts } from "../lib/workload-view.ts";
import { printWarnings } from "../lib/warnings.ts";

export default defineCommand({
  description: "Scaling down removes the newest replicas first, preferring ones not yet running.\nA workload with --autoscale may be rescaled by the autoscaler later.",
  args: {
    name: { description: "the workload", required: true },
    replicas: { description: "primary replicas, 0-1000", required: true },
  },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc scale web 5", "enc scale web 0"],
  async run(ctx, { args, flags }) {
    const n = Number(args.replicas);
    if (!/^\d+$/.test(args.replicas) || n > 1000) {
      throw usageError("bad_value", `<replicas> must be a whole number 0–1000, got ${JSON.stringify(args.replicas)}`);
    }
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const res = await api.post<{ replicas: Replica[] }>(routes.workloadScale(cluster, args.name), { replicas: n });
    printWarnings(ctx, res);
    const { replicas } = res;
    if (ctx.json) return ctx.emit({ cluster, workload: args.name, replicas });
    ctx.out(`${ctx.style.ok} Scaled ${ctx.style.bold(args.name)} to ${n} primary replica${n === 1 ? "" : "s"}; ${statusCounts(replicas)}.`);
    if (replicas.length) ctx.out("\n" + replicaTable(replicas, ctx.style));
  },
});
