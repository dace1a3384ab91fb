import { routes } from "../../protocol/routes.ts";
import type { AgreementSummary } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";

export default defineCommand({
  description: "Lists the cluster's agreements: format, current version, status and the workloads each owns.",
  flags: { ...CLUSTER_FLAG },
  examples: ["enc agreement list"],
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const { agreements } = await (await ctx.client()).get<{ agreements: AgreementSummary[] }>(routes.agreements(cluster));
    if (ctx.json) return ctx.emit({ cluster, agreements });
    const rows = agreements.map((a) => [a.name, a.type, String(a.version), a.status, a.hash.slice(0, 19) + "…", a.workloads.join(",")]);
    ctx.out(formatTable(["NAME", "TYPE", "VERSION", "STATUS", "HASH", "WORKLOADS"], rows, ctx.style));
  },
});
