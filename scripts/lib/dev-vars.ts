import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { ROOT } from "./control-plane.ts";

/** Secrets the Worker needs; generated on first start, never overwritten. */
const SECRETS = ["CONTROL_PLANE_KEY", "NOTARY_KEY", "QLOCK_KEY", "NOTARY_MLDSA_KEY", "CONTROL_PLANE_MLDSA_KEY"] as const;

export function ensureDevVars(file = path.join(ROOT, ".dev.vars")): { file: string; created: string[] } {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const have = new Set(text.split("\n").map((l) => l.split("=")[0].trim()));
  const missing = SECRETS.filter((k) => !have.has(k));
  if (missing.length > 0) {
    const lines = missing.map((k) => `${k}=${randomBytes(32).toString("hex")}`);
    const header = text ? "" : "# Local secrets for `wrangler dev` (git-ignored). Production uses `wrangler secret put`.\n";
    writeFileSync(file, header + text + (text && !text.endsWith("\n") ? "\n" : "") + lines.join("\n") + "\n", { mode: 0o600 });
  }
  return { file, created: [...missing] };
}
