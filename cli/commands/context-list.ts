import { defineCommand } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";
import { readContexts } from "../lib/wallet.ts";

export default defineCommand({
  description: "The current one is marked with *; ENC_CONTEXT picks one for a single command.",
  async run(ctx) {
    const f = readContexts(ctx.env);
    const current = ctx.env.ENC_CONTEXT || f.current || null;
    if (ctx.json) return ctx.emit({ current, contexts: f.contexts });
    const names = Object.keys(f.contexts).sort();
    if (names.length === 0) return ctx.out("No contexts. Add one with `enc context add <name> --url <url> [--wallet FILE] [--cluster C]`.");
    const rows = names.map((n) => {
      const c = f.contexts[n]!;
      return [n === current ? "*" : "", n, c.url, c.wallet ?? "(default)", c.cluster ?? ""];
    });
    ctx.out(formatTable(["", "NAME", "URL", "WALLET", "CLUSTER"], rows, ctx.style));
  },
});
