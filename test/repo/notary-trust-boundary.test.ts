// The NotaryDO admits receipts without verifying their signatures (README.md, Security): the Worker
// verified them in verifyThenAdmit. That holds only while nothing else in the product calls the
// DO's admitVerified, which this scan of the production sources keeps true.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRODUCTION = ["protocol", "domain", "durable-objects", "workers", "node-agent", "cli", "cli-kit"];

function callers(pattern: RegExp): string[] {
  const found: string[] = [];
  for (const dir of PRODUCTION) {
    for (const e of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !/\.(ts|tsx|mts|js)$/.test(e.name)) continue;
      const file = path.join(e.parentPath, e.name);
      if (pattern.test(readFileSync(file, "utf8"))) found.push(path.relative(ROOT, file));
    }
  }
  return found.sort();
}

describe("the NotaryDO's trust boundary", () => {
  it("admitVerified is called only by verifyThenAdmit (workers/lib/notary-admit.ts), which verifies first", () => {
    expect(callers(/\.admitVerified\s*\(/)).toEqual(["workers/lib/notary-admit.ts"]);
    const lib = readFileSync(path.join(ROOT, "workers/lib/notary-admit.ts"), "utf8");
    // In that file, the signatures are checked and a refusal returns before the DO is called.
    const verify = lib.indexOf("verifyReceiptEntry(r)");
    const refuse = lib.indexOf("if (refused) return");
    const admit = lib.indexOf(".admitVerified(");
    expect(verify).toBeGreaterThan(0);
    expect(refuse).toBeGreaterThan(verify);
    expect(admit).toBeGreaterThan(refuse);
  });

  it("the receipts route reaches the notary through verifyThenAdmit(Apps)", () => {
    expect(callers(/verifyThenAdmit(Apps)?\s*\(/)).toEqual(["workers/lib/notary-admit.ts", "workers/routes/receipts.ts"]);
  });
});
