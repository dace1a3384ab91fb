import { routes } from "../../protocol/routes.ts";
import type { AgreementView } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";

export default defineCommand({
  description: "Shows an agreement: its current version and hash, status, dependency waves, workloads and registrations.",
  args: { name: { description: "the agreement", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc agreement show shop", "enc agreement show shop -o yaml"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const a = await (await ctx.client()).get<AgreementView>(routes.agreement(cluster, args.name));
    if (ctx.json) return ctx.emit(a);
    ctx.out(
      formatPairs(
        [
          ["Name", a.name],
          ["Type", a.type],
          ["Version", `${a.version} (${a.hash})`],
          ["Status", a.status + (a.pending_waves.length ? ` (${a.pending_waves.length} wave(s) pending)` : "")],
          ["Workloads", a.compiled.workloads.map((w) => `${w.name} (${w.replicas}x ${w.image})`).join(", ")],
          ["Order", a.compiled.order ? a.compiled.order.map((w) => w.join(" ")).join(" -> ") : "-"],
          ["Registry", a.compiled.registry?.map((r) => `httpcg://${r.host} -> ${r.workload}`).join(", ") || "-"],
          ["Created", `${a.created_at} by ${a.created_by}`],
          ["Updated", a.updated_at],
        ],
        ctx.style,
      ),
    );
  },
});
