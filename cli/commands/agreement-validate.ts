import { routes } from "../../protocol/routes.ts";
import type { AgreementValidation } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { DOC_FLAGS, docQuery, readDocs, sendDoc } from "../lib/agreement-docs.ts";
import { CLIError } from "../lib/errors.ts";

export default defineCommand({
  description:
    "Validates agreement documents without changing anything: the schema and ownership always; with\n" +
    "--security-check the cage policy and security level, with --resource-check the nodes' capacity.",
  flags: {
    ...CLUSTER_FLAG,
    ...DOC_FLAGS,
    "security-check": { type: "boolean", description: "check against the cluster's cage policy and security level" },
    "resource-check": { type: "boolean", description: "check the replicas fit the ready nodes' free capacity" },
    "target-nodes": { type: "string", placeholder: "A,B", description: "node addresses (bpi1…) the agreement would be pinned to: checked to exist, and the only nodes counted" },
  },
  examples: ["enc agreement validate --file agreement.yaml --security-check --resource-check"],
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const out: AgreementValidation["agreements"] = [];
    for (const d of await readDocs(ctx, flags.file, flags.name)) {
      const q = docQuery({ type: flags.type, name: d.name, security_check: flags["security-check"], resource_check: flags["resource-check"], target_nodes: flags["target-nodes"] });
      out.push(...(await sendDoc<AgreementValidation>(api, d, routes.agreementsValidate(cluster) + q)).agreements);
    }
    const valid = out.every((a) => a.checks.every((c) => c.ok));
    if (ctx.json) ctx.emit({ cluster, valid, agreements: out });
    else
      for (const a of out) {
        ctx.out(`agreement/${a.name} (${a.type}, ${a.hash})`);
        for (const c of a.checks) ctx.out(`  ${c.ok ? "✓" : "✗"} ${c.check}: ${c.field ? `${c.field}: ` : ""}${c.detail}`);
      }
    if (!valid) throw new CLIError("agreement_invalid", "the agreement does not pass every check");
  },
});
