import { defineCommand } from "../lib/command.ts";
import { hostPath, requireHost } from "./registry-client.ts";

export default defineCommand({
  args: { host: { description: "the host", required: true } },
  async run(ctx, { args }) {
    const host = requireHost(args.host);
    const api = await ctx.client();
    const { removed } = await api.delete<{ removed: { host: string; version: number } }>(hostPath(host));
    if (ctx.json) return ctx.emit({ removed });
    ctx.out(`${ctx.style.ok} Removed httpcg://${host} (version ${removed.version}); anyone may register it again.`);
  },
});
