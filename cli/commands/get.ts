import { routes } from "../../protocol/routes.ts";
import type { AgreementView } from "../../protocol/api/agreement.ts";
import type { WorkloadWithReplicas } from "../../protocol/api/workload.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { EXPORTERS } from "../lib/exporters.ts";
import { toYaml } from "../lib/output.ts";

export default defineCommand({
  description:
    "Exports a workload (its spec: a DockLock document that `enc apply -f` takes back) or an agreement\n" +
    "(its current documents) as -o yaml (default) or json; other formats come from cli/lib/exporters.ts.",
  args: { kind: { description: "workload or agreement", required: true }, name: { description: "its name", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc get workload web -o yaml > web.yaml", "enc get agreement shop -o json"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    if (args.kind !== "workload" && args.kind !== "agreement") throw usageError("bad_kind", `enc get ${args.kind}: workload or agreement`);
    const value =
      args.kind === "workload"
        ? (await api.get<WorkloadWithReplicas>(routes.workload(cluster, args.name))).workload.spec
        : (await api.get<AgreementView>(routes.agreement(cluster, args.name)));
    const exporter = EXPORTERS[ctx.format];
    if (exporter) return ctx.out(exporter(args.kind, value));
    // an agreement is its documents: one alone, or a multi-document stream
    const docs = args.kind === "agreement" ? (value as AgreementView).documents : [value];
    if (ctx.format === "json") return ctx.emit(docs.length === 1 ? docs[0] : docs);
    ctx.out(docs.map((d) => toYaml(JSON.parse(JSON.stringify(d))).replace(/^\n/, "")).join("---\n"));
  },
});
