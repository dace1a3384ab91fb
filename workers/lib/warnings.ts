import type { Context } from "hono";

/**
 * Policy warnings of a change (warn policies that were true): kept in the body's `warnings` and
 * repeated as RFC 9111 `Warning: 299` header values, as the Kubernetes API server answers
 * admission warnings. Header text is printable ASCII; the body keeps the exact words.
 */
export function warningHeader(c: Context, value: unknown): void {
  const warnings = (value as { warnings?: unknown } | null)?.warnings;
  if (!Array.isArray(warnings) || warnings.length === 0) return;
  const text = warnings.map((w) => `299 enc "${String(w).replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "'")}"`).join(", ");
  c.header("Warning", text);
}
