import { routes } from "../../protocol/routes.ts";
import type { LogBlock } from "../../protocol/schemas.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable, short } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";

export default defineCommand({
  args: { app: { description: "the app (workload name)", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    "from-height": { type: "string", placeholder: "N", default: "1", description: "first height (default 1)" },
    limit: { type: "string", placeholder: "N", default: "100", description: "at most N blocks, 1-1000 (default 100)" },
  },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const from = intFlag(flags["from-height"], "from-height")!;
    const limit = intFlag(flags.limit, "limit", 1, 1000)!;
    const api = await ctx.client();
    const { blocks } = await api.get<{ blocks: LogBlock[] }>(`${routes.blocks(cluster, args.app)}?from_height=${from}&limit=${limit}`);
    if (ctx.json) return ctx.emit({ cluster, app: args.app, blocks });
    if (blocks.length === 0) return ctx.out(`No blocks for ${cluster}/${args.app}${from > 1 ? ` from height ${from}` : ""} yet.`);
    const rows = blocks.map((b) => [String(b.height), String(b.count), b.range.from_ts, b.range.to_ts, short(b.merkle_root, 18)]);
    ctx.out(formatTable(["HEIGHT", "RECEIPTS", "FROM", "TO", "MERKLE ROOT"], rows, ctx.style));
    const more = blocks.length === limit ? `; more with --from-height ${blocks[blocks.length - 1].height + 1}` : "";
    ctx.out(ctx.style.dim(`${blocks.length} block${blocks.length === 1 ? "" : "s"}${more}. Verify them with \`enc ledger verify ${args.app} --cluster ${cluster}\`.`));
  },
});
