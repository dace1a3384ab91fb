// ✓/✗ lines for verification commands; --json gets the same list as objects.
import type { Context } from "./context.ts";

export interface Check {
  check: string;
  ok: boolean;
  detail?: string;
}

export function printChecks(ctx: Context, checks: Check[]): void {
  const s = ctx.style;
  for (const c of checks) {
    ctx.out(`${c.ok ? s.ok : s.fail} ${c.check}${c.detail ? (c.ok ? s.dim(`  ${c.detail}`) : `: ${c.detail}`) : ""}`);
  }
}
