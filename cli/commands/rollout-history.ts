import { routes } from "../../protocol/routes.ts";
import type { WorkloadVersion } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable, short } from "../lib/table.ts";

export default defineCommand({
  description: "Every version of the workload, oldest first: when, by whom, why, its image and what it changed.",
  args: { name: { description: "the workload", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc rollout history web"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { versions } = await api.get<{ versions: WorkloadVersion[] }>(routes.workloadRolloutHistory(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, workload: args.name, versions });
    const rows = versions.map((v) => [
      `${v.version}${v.current ? "*" : ""}`,
      v.created_at ?? "-",
      v.created_by ? short(v.created_by) : "-",
      v.cause ?? "-",
      v.image,
      v.changed.join(", ") || "-",
    ]);
    ctx.out(formatTable(["VERSION", "CREATED", "BY", "CAUSE", "IMAGE", "CHANGED"], rows, ctx.style));
  },
});
