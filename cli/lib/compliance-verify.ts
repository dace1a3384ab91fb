import { readFileSync } from "node:fs";
import { ComplianceReport, verifyComplianceReport } from "../../protocol/api/compliance.ts";
import { verifyChainHead, type ChainHead } from "../../protocol/head.ts";
import { verifyAuditHistory } from "../../protocol/ledger-verify.ts";
import { routes } from "../../protocol/routes.ts";
import type { Context } from "./context.ts";
import { CLIError } from "./errors.ts";
import { allAuditEntries } from "./ledger-source.ts";

/** The signed JSON: the file itself, or the copy an HTML report embeds. */
function readReport(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CLIError("no_file", `cannot read ${file}: ${(e as Error).message}`);
  }
  const embedded = /<script type="application\/json" id="signed-report">([\s\S]*?)<\/script>/.exec(text);
  const json = embedded ? embedded[1].replace(/&quot;/g, '"').replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&") : text;
  try {
    return JSON.parse(json);
  } catch {
    throw new CLIError("bad_report", `${file} is not a signed report (use the JSON form: enc audit report --format json)`);
  }
}

/** `enc audit report verify FILE`. */
export async function verifyReport(ctx: Context, file: string): Promise<number> {
  const raw = readReport(file);
  const { control_plane } = await ctx.keys();
  const problems: string[] = [];
  const sig = await verifyComplianceReport(raw, control_plane);
  if (!sig.ok) problems.push(`signature: ${sig.reason}`);
  const parsed = ComplianceReport.safeParse(raw);
  if (!parsed.success) throw new CLIError("bad_report", `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const report = parsed.data;
  const cluster = report.cluster;
  const headOk = await verifyChainHead(report.ledger.head, { kind: "audit", cluster, signer: control_plane });
  if (!headOk.ok) problems.push(`report's head: ${headOk.reason}`);

  const api = await ctx.client();
  const live = await api.get<ChainHead>(routes.auditHead(cluster));
  const entries = await allAuditEntries(api, cluster);
  const chain = await verifyAuditHistory(entries, control_plane, { head: live, cluster });
  for (const p of chain.problems) problems.push(`live log ${p.where}: ${p.problem}`);
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const h = report.ledger.head;
  if (h.size > live.size) problems.push(`the report's head (size ${h.size}) is beyond the live log's (size ${live.size})`);
  else if (h.size > 0 && bySeq.get(h.size)?.hash !== h.head_hash) problems.push(`the report's head ${h.head_hash} is not entry ${h.size} of the live log: the history differs`);
  let cited = 0;
  for (const c of report.controls) {
    for (const ev of c.evidence) {
      for (const x of ev.examples) {
        cited++;
        const e = bySeq.get(x.seq);
        if (x.seq > h.size) problems.push(`${c.id}: cited seq ${x.seq} lies beyond the report's head`);
        else if (!e) problems.push(`${c.id}: cited seq ${x.seq} is not in the live log`);
        else if (e.hash !== x.hash || e.event !== x.event || e.actor !== x.actor || e.ts !== x.ts || e.subject !== x.subject) problems.push(`${c.id}: cited seq ${x.seq} differs from the live log's entry ${e.hash}`);
      }
    }
  }
  const ok = problems.length === 0;
  if (ctx.json) {
    ctx.emit({ file, cluster, framework: report.framework, control_plane, ok, cited, problems });
    return ok ? 0 : 1;
  }
  const s = ctx.style;
  if (ok) {
    ctx.out(`${s.ok} ${report.framework} report of ${cluster} verified: signed by control plane ${control_plane}; its head (size ${h.size}) is on the live audit chain (${chain.checked} entries checked); ${cited} cited entries match.`);
    return 0;
  }
  ctx.out(`${s.fail} ${report.framework} report of ${cluster} FAILED verification: ${problems.length} problem(s).`);
  for (const p of problems) ctx.out(`  ${s.fail} ${p}`);
  return 1;
}
