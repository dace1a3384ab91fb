import { routes } from "../../protocol/routes.ts";
import { defineCommand } from "../lib/command.ts";

export default defineCommand({
  description: "Resolver admins are the RESOLVER_ADMINS addresses, else the control-plane key. Other isolates expire their entries by TTL.",
  async run(ctx) {
    const api = await ctx.client();
    const r = await api.post<{ isolate: string; cleared: number }>(routes.resolverCacheClear(), {});
    if (ctx.json) return ctx.emit(r);
    ctx.out(`${ctx.style.ok} Cleared ${r.cleared} entr${r.cleared === 1 ? "y" : "ies"} from isolate ${r.isolate}.`);
  },
});
