import type { Context } from "./context.ts";

/** Prints the warnings a change came back with (warn policies that were true), on stderr. */
export function printWarnings(ctx: Context, res: unknown): void {
  const warnings = (res as { warnings?: unknown } | null)?.warnings;
  if (!Array.isArray(warnings)) return;
  for (const w of warnings) ctx.note(ctx.errStyle.yellow(`Warning: ${String(w)}`));
}
