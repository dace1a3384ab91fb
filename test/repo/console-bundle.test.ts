// The console's browser script is committed as a generated module (wrangler bundles it as a
// string, with no build step of its own): it must be exactly what its source bundles to.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONSOLE_BUNDLE, consoleBundleSource } from "../../scripts/build-console.ts";

describe("workers/console/client/bundle.generated.ts", () => {
  it("is up to date with workers/console/client/console.ts (run `npx tsx scripts/build-console.ts`)", async () => {
    expect(readFileSync(CONSOLE_BUNDLE, "utf8")).toBe(await consoleBundleSource());
  });

  it("carries the project's small BLAKE3, not @noble/hashes", async () => {
    const text = readFileSync(CONSOLE_BUNDLE, "utf8");
    expect(text).toContain("BLAKE3 needs a little-endian machine");
    expect(text.length).toBeLessThan(64_000);
  });
});
