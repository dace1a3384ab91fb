import { verifyAppLedger, type VerifyReport } from "../../protocol/ledger-verify.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { apiLedgerSource, notaryStats } from "../lib/ledger-source.ts";
import { progress } from "../lib/progress.ts";

export default defineCommand({
  description:
    "Checks every LogBlock's notary signature (against GET /v1/keys), consecutive heights and the\n" +
    "prev chain, each Merkle root and count, every receipt's hash and node signature, and each\n" +
    "container's receipt chain. Names every problem; exits 1 if there is any.",
  args: { app: { description: "the app (workload name)", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    verbose: { type: "boolean", short: "v", description: "progress lines on stderr when it is not a terminal" },
  },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { notary } = await ctx.keys();
    // The height only sizes the progress bar; the verifier itself reads until the ledger ends.
    const total = (await notaryStats(api, cluster, args.app)).current_height;
    const bar = progress(ctx.io.stderr, "verifying blocks", { verbose: flags.verbose });
    let report: VerifyReport;
    try {
      report = await verifyAppLedger(apiLedgerSource(api, cluster, args.app), notary, (done) => bar.update(done, Math.max(done, total) || null));
    } finally {
      bar.finish();
    }
    const ok = report.problems.length === 0;
    if (ctx.json) {
      ctx.emit({ cluster, app: args.app, notary, ok, blocks: report.blocks, receipts: report.receipts, problems: report.problems });
      return ok ? 0 : 1;
    }
    const s = ctx.style;
    const counts = `${report.blocks} block${report.blocks === 1 ? "" : "s"}, ${report.receipts} receipt${report.receipts === 1 ? "" : "s"}`;
    if (ok) {
      if (report.blocks === 0) ctx.out(`${s.ok} ${cluster}/${args.app} has no sealed blocks yet: nothing to verify.`);
      else ctx.out(`${s.ok} Ledger of ${cluster}/${args.app} verified: ${counts}, signed by notary ${notary}.`);
      return 0;
    }
    ctx.out(`${s.fail} Ledger of ${cluster}/${args.app} FAILED verification: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in ${counts}.\n`);
    for (const p of report.problems) ctx.out(`  ${s.fail} ${s.bold(p.where)}: ${p.problem}`);
    return 1;
  },
});
