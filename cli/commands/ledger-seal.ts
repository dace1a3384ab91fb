import { routes } from "../../protocol/routes.ts";
import type { LogBlock } from "../../protocol/schemas.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";

export default defineCommand({
  description: "Blocks are also sealed on their own, by count or age (see `enc cluster show`).",
  args: { app: { description: "the app (workload name)", required: true } },
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    // 204 (nothing pending) decodes to null.
    const res = await api.post<{ block: LogBlock } | null>(routes.seal(cluster, args.app));
    const block = res?.block ?? null;
    if (ctx.json) return ctx.emit({ cluster, app: args.app, block });
    if (!block) return ctx.out(`Nothing to seal: ${cluster}/${args.app} has no pending receipts.`);
    ctx.out(`${ctx.style.ok} Sealed block ${ctx.style.bold(String(block.height))} of ${cluster}/${args.app} with ${block.count} receipt${block.count === 1 ? "" : "s"}.\n`);
    ctx.out(formatPairs([["Merkle root", block.merkle_root], ["Prev", block.prev], ["Range", `${block.range.from_ts} – ${block.range.to_ts}`], ["Notary", block.notary]], ctx.style));
  },
});
