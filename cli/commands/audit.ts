import { verifyAuditChain } from "../../protocol/ledger-verify.ts";
import { routes } from "../../protocol/routes.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { allAuditEntries } from "../lib/ledger-source.ts";
import { progress } from "../lib/progress.ts";
import { formatTable } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";

export default defineCommand({
  description:
    "--verify reads every entry from seq 1 and checks each control-plane signature (against\n" +
    "GET /v1/keys), consecutive seq numbers and the prev_hash chain; exits 1 on any problem.",
  flags: {
    ...CLUSTER_FLAG,
    verify: { type: "boolean", description: "verify the whole chain instead of listing a page" },
    "from-seq": { type: "string", placeholder: "N", default: "1", description: "first seq to list (default 1)" },
    limit: { type: "string", placeholder: "N", default: "100", description: "at most N entries, 1-1000 (default 100)" },
    verbose: { type: "boolean", short: "v", description: "with --verify: progress lines on stderr when it is not a terminal" },
  },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const from = intFlag(flags["from-seq"], "from-seq")!;
    const limit = intFlag(flags.limit, "limit", 1, 1000)!;
    const api = await ctx.client();
    if (flags.verify) {
      const bar = progress(ctx.io.stderr, "reading audit entries", { verbose: flags.verbose });
      let entries: AuditEntry[];
      try {
        entries = await allAuditEntries(api, cluster, (n) => bar.update(n, null));
      } finally {
        bar.finish(); // before any result line, which would otherwise land on the bar's line
      }
      return verify(ctx, cluster, entries);
    }
    const { entries } = await api.get<{ entries: AuditEntry[] }>(`${routes.audit(cluster)}?from_seq=${from}&limit=${limit}`);
    if (ctx.json) return ctx.emit({ cluster, entries });
    if (entries.length === 0) return ctx.out(`No audit entries in ${cluster}${from > 1 ? ` from seq ${from}` : ""}.`);
    const rows = entries.map((e) => [String(e.seq), e.ts, e.event, e.actor, e.subject]);
    ctx.out(formatTable(["SEQ", "TIME", "EVENT", "ACTOR", "SUBJECT"], rows, ctx.style));
    const more = entries.length === limit ? `; more with --from-seq ${entries[entries.length - 1].seq + 1}` : "";
    ctx.out(ctx.style.dim(`${entries.length} entr${entries.length === 1 ? "y" : "ies"}${more}. Check the chain with \`enc audit --verify\`.`));
  },
});

async function verify(ctx: Context, cluster: string, entries: AuditEntry[]): Promise<number> {
  const { control_plane } = await ctx.keys();
  const problems = await verifyAuditChain(entries, control_plane);
  const ok = problems.length === 0;
  const last = entries.length ? entries[entries.length - 1].seq : 0;
  if (ctx.json) {
    ctx.emit({ cluster, control_plane, ok, entries: entries.length, last_seq: last, problems });
    return ok ? 0 : 1;
  }
  const s = ctx.style;
  if (ok) {
    ctx.out(`${s.ok} Audit chain of ${cluster} verified: ${entries.length} entr${entries.length === 1 ? "y" : "ies"} (seq 1–${last}), signed by control plane ${control_plane}.`);
    return 0;
  }
  ctx.out(`${s.fail} Audit chain of ${cluster} FAILED verification: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${entries.length} entries.\n`);
  for (const p of problems) ctx.out(`  ${s.fail} ${s.bold(p.where)}: ${p.problem}`);
  return 1;
}
