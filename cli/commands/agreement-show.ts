import { routes } from "../../protocol/routes.ts";
import type { AgreementView } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";

/** A CueCage agreement's check: the verdict and why, then one row per run (node, witness root, exit). */
function cageRows(a: AgreementView): [string, string][] {
  if (!a.cage) return [];
  const v = a.cage.verdict;
  const rows: [string, string][] = [["Verdict", v ? `${v.status} (${a.cage.nodes} distinct nodes required)` : `pending (${a.cage.nodes} distinct nodes required)`]];
  if (v?.reason) rows.push(["Reason", v.reason]);
  (v?.runs ?? []).forEach((r, i) => rows.push([`Run ${i + 1}`, `node ${r.node}  root ${r.witness_root ?? "-"}  exit ${r.exit_code ?? "-"}`]));
  return rows;
}

export default defineCommand({
  description: "Shows an agreement: its current version and hash, status, dependency waves, workloads, registrations, pinned nodes and (CueCage) the verdict with each node's witness root.",
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
          ...(a.compiled.target_nodes ? [["Target nodes", a.compiled.target_nodes.join(", ")] as [string, string]] : []),
          ...cageRows(a),
          ["Created", `${a.created_at} by ${a.created_by}`],
          ["Updated", a.updated_at],
        ],
        ctx.style,
      ),
    );
  },
});
