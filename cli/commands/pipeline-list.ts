import { routes } from "../../protocol/routes.ts";
import type { Pipeline } from "../../protocol/api/pipeline.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";

export default defineCommand({
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const { pipelines } = await (await ctx.client()).get<{ pipelines: Pipeline[] }>(routes.pipelines(cluster));
    if (ctx.json) return ctx.emit({ cluster, pipelines });
    if (pipelines.length === 0) return ctx.out(`No pipelines in ${cluster}.`);
    const rows = pipelines.map((p) => {
      const last = p.promotions[p.promotions.length - 1];
      return [p.name, p.stages.map((s) => s.name).join(" → "), String(p.gates.approvals.count), last ? `${last.id} ${last.state}` : "-"];
    });
    ctx.out(formatTable(["NAME", "STAGES", "APPROVALS", "LAST PROMOTION"], rows, ctx.style));
  },
});
