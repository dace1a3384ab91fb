import type { StepReceipt } from "../../protocol/schemas.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { apiLedgerSource } from "../lib/ledger-source.ts";
import { formatTable, short } from "../lib/table.ts";

export default defineCommand({
  description:
    "Receipts appear here once sealed into a LogBlock (`enc ledger seal <app>` seals now). With --json each item is {height, receipt}: the receipt byte for byte as its node signed it, the block height beside it, so a verifier can hash it as received.",
  args: { app: { description: "the app (workload name)", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    op: { type: "string", placeholder: "OP", description: "only receipts of this op (e.g. exit)" },
  },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const src = apiLedgerSource(await ctx.client(), cluster, args.app);
    // The height goes beside each receipt, never into it: the receipt must stay what was signed.
    const receipts: { height: number; receipt: StepReceipt }[] = [];
    for (let from = 1; ; ) {
      const blocks = await src.blocks(from, 100);
      if (blocks.length === 0) break;
      for (const b of blocks) for (const r of await src.blockReceipts(b.height)) receipts.push({ height: b.height, receipt: r });
      from = blocks[blocks.length - 1].height + 1;
    }
    const shown = flags.op ? receipts.filter((x) => x.receipt.op === flags.op) : receipts;
    if (ctx.json) return ctx.emit({ cluster, app: args.app, receipts: shown });
    if (shown.length === 0) return ctx.out(`No sealed receipts for ${cluster}/${args.app}${flags.op ? ` with op ${flags.op}` : ""}.\n`);
    const rows = shown.map(({ height, receipt: r }) => [
      String(height),
      r.hash,
      r.container,
      r.op,
      r.exit_code === undefined ? "" : String(r.exit_code),
      r.witness_root ? short(r.witness_root, 20) : "",
      short(r.node),
    ]);
    ctx.out(formatTable(["BLOCK", "HASH", "CONTAINER", "OP", "EXIT", "WITNESS ROOT", "NODE"], rows, ctx.style));
  },
});
