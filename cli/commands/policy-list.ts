import { routes } from "../../protocol/routes.ts";
import type { Policy } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";

export default defineCommand({
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { policies } = await api.get<{ policies: Policy[] }>(routes.policies(cluster));
    if (ctx.json) return ctx.emit({ cluster, policies });
    if (!policies.length) return ctx.out(`No policies in cluster ${cluster}.`);
    ctx.out(formatTable(["NAME", "ACTION", "MATCH", "EXPR"], policies.map((p) => [p.name, p.action, p.match.join(","), p.expr]), ctx.style));
  },
});
