import type { Policy } from "./api-types.ts";
import type { Context } from "./context.ts";
import { formatPairs } from "./table.ts";

export function printPolicy(ctx: Context, p: Policy): void {
  ctx.out(
    formatPairs(
      [
        ["Policy", ctx.style.bold(p.name)],
        ["Action", p.action],
        ["Match", p.match.join(", ")],
        ["Expr", p.expr],
        ["Message", p.message],
        ["Hash", p.hash],
        ["Added", `${p.created_at} by ${p.created_by}`],
      ],
      ctx.style,
    ),
  );
}
