// A compliance report as Markdown or HTML for people; the signed JSON (--format json) is what
// `enc audit report verify` checks. Neither form draws a conclusion the ledger cannot support.
import type { ComplianceReport } from "../../protocol/api/compliance.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function toMarkdown(r: ComplianceReport): string {
  const out = [
    `# ${r.framework} evidence for cluster ${r.cluster}`,
    "",
    `Evidence for an auditor, computed from the cluster's audit chain; it is not an attestation.`,
    "",
    `- Period: ${r.period.from ?? "start of the log"} to ${r.period.to ?? r.generated_at}`,
    `- Audit chain: ${r.ledger.head.size} entries, head ${r.ledger.head.head_hash} (signed ${r.ledger.head.issued_at}); ${r.ledger.entries_in_period} in the period`,
    `- Checkpoints: ${r.transparency.checkpoints}; witnesses: ${r.transparency.witnesses}`,
    `- Signed by the control plane ${r.signer}; check with \`enc audit report verify FILE\` on the JSON form`,
    "",
  ];
  for (const c of r.controls) {
    out.push(`## ${c.id}: ${c.title}`, "");
    for (const e of c.evidence) {
      out.push(`- **${e.count}** ${e.what}`);
      for (const x of e.examples) out.push(`  - seq ${x.seq} \`${x.hash}\` ${x.event} by ${x.actor} at ${x.ts}`);
    }
    out.push("", c.gaps.length ? "Gaps found:" : "Gaps found: none in the ledger for this control.");
    for (const g of c.gaps) out.push(`- ${g}`);
    out.push("");
  }
  return out.join("\n");
}

export function toHtml(r: ComplianceReport): string {
  const controls = r.controls
    .map(
      (c) =>
        `<section><h2>${esc(c.id)}: ${esc(c.title)}</h2><ul>${c.evidence
          .map((e) => `<li><strong>${e.count}</strong> ${esc(e.what)}<ul>${e.examples.map((x) => `<li>seq ${x.seq} <code>${esc(x.hash)}</code> ${esc(x.event)} by ${esc(x.actor)} at ${esc(x.ts)}</li>`).join("")}</ul></li>`)
          .join("")}</ul><h3>Gaps found</h3><ul>${c.gaps.length ? c.gaps.map((g) => `<li>${esc(g)}</li>`).join("") : "<li>none in the ledger for this control</li>"}</ul></section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.framework)} evidence: ${esc(r.cluster)}</title></head>
<body><h1>${esc(r.framework)} evidence for cluster ${esc(r.cluster)}</h1>
<p>Evidence for an auditor, computed from the cluster's audit chain; it is not an attestation.</p>
<p>Audit chain: ${r.ledger.head.size} entries, head <code>${esc(r.ledger.head.head_hash)}</code>; ${r.ledger.entries_in_period} in the period. Signed by the control plane <code>${esc(r.signer)}</code>.</p>
${controls}
<script type="application/json" id="signed-report">${esc(JSON.stringify(r))}</script>
</body></html>
`;
}
