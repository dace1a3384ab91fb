import { routes } from "../../protocol/routes.ts";
import type { AgreementApplyResponse } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { DOC_FLAGS, docQuery, readDocs, sendDoc } from "../lib/agreement-docs.ts";

const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));

export default defineCommand({
  description: "What `enc apply -f` would change, field by field, per agreement and workload; changes nothing.",
  flags: { ...CLUSTER_FLAG, ...DOC_FLAGS, prune: { type: "boolean", description: "as `enc apply --prune` would" } },
  examples: ["enc diff -f agreement.yaml"],
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const results: AgreementApplyResponse["results"] = [];
    for (const d of await readDocs(ctx, flags.file, flags.name)) {
      const q = docQuery({ type: flags.type, name: d.name, prune: flags.prune });
      results.push(...(await sendDoc<AgreementApplyResponse>(api, d, routes.agreementsDiff(cluster) + q)).results);
    }
    if (ctx.json) return ctx.emit({ cluster, results });
    for (const r of results) {
      ctx.out(`agreement/${r.name} (${r.type}): ${r.action === "unchanged" ? "no change" : r.action === "created" ? "new" : `v${r.version} replaces ${r.previous_hash?.slice(0, 19)}…`}`);
      for (const w of r.workloads) {
        if (w.action === "unchanged") continue;
        ctx.out(`  ${w.action === "create" ? "+" : w.action === "remove" ? "-" : w.action === "keep" ? "=" : "~"} workload/${w.name} (${w.action})`);
        for (const c of w.changes ?? []) ctx.out(`      ${c.field}: ${show(c.from)} -> ${show(c.to)}`);
      }
    }
  },
});
