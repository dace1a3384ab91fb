import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";

export default defineCommand({
  description: "Prints the token once, with the `enc-agent join` command that uses it on the node.",
  flags: {
    ...CLUSTER_FLAG,
    ttl: { type: "string", placeholder: "seconds", default: "3600", description: "lifetime, 60 s to 7 days (default 3600)" },
  },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const ttl_s = intFlag(flags.ttl, "ttl", 60, 7 * 86_400);
    const api = await ctx.client();
    const t = await api.post<{ token: string; expires_at: string }>(routes.joinTokens(cluster), { ttl_s });
    // The agent needs the same URL the CLI used; quoting keeps the line copy-pastable.
    const join = `enc-agent join --url ${shellQuote(ctx.url)} --cluster ${shellQuote(cluster)} --token ${shellQuote(t.token)}`;
    if (ctx.json) return ctx.emit({ cluster, token: t.token, expires_at: t.expires_at, join_command: join });
    ctx.out(`${ctx.style.ok} Join token for cluster ${ctx.style.bold(cluster)} (works once).\n`);
    ctx.out(formatPairs([["Token", t.token], ["Expires", t.expires_at]], ctx.style));
    ctx.out(`\nOn the new node, run:\n\n  ${ctx.style.bold(join)}\n`);
  },
});

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
