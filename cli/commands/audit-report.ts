import { writeFileSync } from "node:fs";
import { ComplianceFramework } from "../../protocol/api/cluster.ts";
import type { ComplianceReport } from "../../protocol/api/compliance.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { toHtml, toMarkdown } from "../lib/compliance-render.ts";
import { requireOneOf } from "../lib/values.ts";
import { usageError } from "../lib/errors.ts";
import { verifyReport } from "../lib/compliance-verify.ts";

const FORMATS = ["md", "html", "json"] as const;

export default defineCommand({
  description:
    "For each control the framework covers here (SOC 2 CC6.1-CC8.1, HIPAA 164.312, PCI DSS 7.2-10.7): counts\n" +
    "and cited entries (seq and hash) from the cluster's audit chain, and the gaps found (changes without\n" +
    "dual control, an unwitnessed period…). The control plane computes and signs it; the JSON form (--format\n" +
    "json or -o json) is what `enc audit report verify FILE` checks. Evidence for an auditor, not a verdict.\n" +
    "verify FILE checks the report's signature by the control-plane key (GET /v1/keys), then re-checks it\n" +
    "against the live audit log: the whole chain up to the signed head (signatures, links), the report's\n" +
    "head on that chain, and every cited entry's seq, hash, event and actor. Exits 1 on any problem.",
  args: {
    verify: { description: "`verify FILE`: check a saved report instead (see below)" },
    file: { description: "with verify: the report file" },
  },
  flags: {
    ...CLUSTER_FLAG,
    framework: { type: "string", placeholder: "NAME", description: "SOC2, HIPAA or PCI-DSS" },
    from: { type: "string", placeholder: "TIME", description: "first entry time, RFC 3339 with milliseconds (default: the start)" },
    to: { type: "string", placeholder: "TIME", description: "last entry time (default: now)" },
    format: { type: "string", placeholder: "FORMAT", default: "md", description: "md (default), html or json (the signed report)" },
    file: { type: "string", short: "f", placeholder: "FILE", description: "write the report to FILE instead of stdout" },
  },
  examples: ["enc audit report --framework SOC2 --format json -f soc2.json", "enc audit report --framework HIPAA --format html -f hipaa.html", "enc audit report verify soc2.json"],
  async run(ctx, { args, flags }) {
    // `enc audit report verify FILE`: the command table has two-word names, so the verb is an argument here.
    if (args.verify !== undefined) {
      if (args.verify !== "verify") throw usageError("unknown_command", `unknown argument ${JSON.stringify(args.verify)}; did you mean \`enc audit report verify FILE\`?`);
      if (!args.file) throw usageError("missing_argument", "enc audit report verify needs the report FILE");
      return verifyReport(ctx, args.file);
    }
    const framework = requireOneOf(flags.framework ?? "", ComplianceFramework.options, "--framework");
    const format = ctx.json ? "json" : requireOneOf(flags.format, FORMATS, "--format");
    const cluster = ctx.cluster(flags.cluster);
    const q = new URLSearchParams({ framework });
    if (flags.from) q.set("from", flags.from);
    if (flags.to) q.set("to", flags.to);
    const report = await (await ctx.client()).get<ComplianceReport>(`${routes.auditReport(cluster)}?${q}`);
    const text = format === "json" ? JSON.stringify(report, null, 2) + "\n" : format === "html" ? toHtml(report) : toMarkdown(report) + "\n";
    if (flags.file) {
      writeFileSync(flags.file, text);
      return ctx.out(`${ctx.style.ok} Wrote ${framework} evidence for ${cluster} (${report.controls.length} controls, ${report.controls.reduce((n, c) => n + c.gaps.length, 0)} gaps) to ${flags.file}.`);
    }
    ctx.io.stdout.write(text);
  },
});
