import { routes } from "../../protocol/routes.ts";
import type { Workload } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { replicaTable, statusCounts, wantedReplicas, workloadPairs } from "../lib/workload-view.ts";

export default defineCommand({
  description: "NODE is shortened; --json carries full addresses and every field.",
  args: { name: { description: "a workload (default: all of them)" } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc ps", "enc ps web --json"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const base = routes.workloads(cluster);
    const s = ctx.style;
    if (args.name) {
      const w = await api.get<Workload>(routes.workload(cluster, args.name));
      if (ctx.json) return ctx.emit({ cluster, workload: w.workload, replicas: w.replicas });
      ctx.out(workloadPairs(w, s));
      if (w.replicas.length) ctx.out("\n" + replicaTable(w.replicas, s, () => w.workload.spec.cage.network));
      return;
    }
    const { workloads } = await api.get<{ workloads: Workload[] }>(base);
    if (ctx.json) return ctx.emit({ cluster, workloads });
    if (workloads.length === 0) return ctx.out(`No workloads in ${cluster}. Deploy one with \`enc deploy <name> --image <ref>\`.`);
    const replicas = workloads.flatMap((w) => w.replicas);
    const network = new Map(workloads.flatMap((w) => w.replicas.map((r) => [r.id, w.workload.spec.cage.network] as const)));
    if (replicas.length) ctx.out(replicaTable(replicas, s, (r) => network.get(r.id)));
    for (const w of workloads.filter((x) => x.replicas.length === 0)) {
      ctx.out(s.dim(`${w.workload.spec.name}: no replicas (wants ${wantedReplicas(w.workload.spec)})`));
    }
    const n = workloads.length;
    ctx.out(s.dim(`${n} workload${n === 1 ? "" : "s"} in ${cluster}; ${replicas.length} replica${replicas.length === 1 ? "" : "s"}: ${statusCounts(replicas)}`));
  },
});
