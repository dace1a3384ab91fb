import { routes } from "../../protocol/routes.ts";
import { defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { publicApi } from "./registry-client.ts";

export default defineCommand({
  description: "Each Worker isolate has its own cache; successive calls may reach different isolates.",
  async run(ctx) {
    const s = await publicApi(ctx).get<Record<string, number | string>>(routes.resolverCacheStats());
    if (ctx.json) return ctx.emit(s);
    const pct = `${(Number(s.hit_ratio) * 100).toFixed(1)} %`;
    ctx.out(
      formatPairs(
        [
          ["Isolate", String(s.isolate)],
          ["Entries", `${s.size} of ${s.capacity}`],
          ["Hits", `${s.hits} (${pct})`],
          ["Misses", String(s.misses)],
          ["Evictions", String(s.evictions)],
          ["Expired", String(s.expired)],
        ],
        ctx.style,
      ),
    );
  },
});
