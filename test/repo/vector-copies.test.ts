// The repository carries its own copy of the protocol vectors so that a clone alone runs every test.
// Where the project's shared folder sits beside the clone (as in CI), the copies must match it
// byte for byte: a vector changed upstream and not here would otherwise go unnoticed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COPIES = path.join(ROOT, "test/vectors");
// The project folder beside the clone (CI has it; a lone clone does not).
const SHARED = path.join(ROOT, "..", "shared", "vectors");

describe("vector copies", () => {
  it("are the protocol's vector files, parseable, with keys and every v1 section", () => {
    const files = readdirSync(COPIES).filter((f) => f.endsWith(".json")).sort();
    expect(files).toEqual(["protocol-v1.1.json", "protocol-v1.json"]);
    const v1 = JSON.parse(readFileSync(path.join(COPIES, "protocol-v1.json"), "utf8"));
    for (const section of ["keys", "step_receipts", "log_block", "audit_entry", "merkle", "http_signature"]) {
      expect(v1, section).toHaveProperty(section);
    }
    expect(JSON.parse(readFileSync(path.join(COPIES, "protocol-v1.1.json"), "utf8"))).toBeTypeOf("object");
  });

  it("match ../shared/vectors byte for byte wherever that folder exists", () => {
    if (!existsSync(SHARED)) {
      // A clone on its own: the copies are the reference; nothing to compare against.
      expect(existsSync(path.join(ROOT, "../shared"))).toBe(false);
      return;
    }
    const shared = readdirSync(SHARED).filter((f) => f.endsWith(".json")).sort();
    expect(readdirSync(COPIES).filter((f) => f.endsWith(".json")).sort()).toEqual(shared);
    for (const f of shared) {
      expect(readFileSync(path.join(COPIES, f)).equals(readFileSync(path.join(SHARED, f))), f).toBe(true);
    }
  });
});

describe("a clone on its own", () => {
  it("has no source file that reaches into ../shared (only this test compares against it)", () => {
    const offenders: string[] = [];
    for (const dir of ["protocol", "domain", "durable-objects", "workers", "node-agent", "cli", "cli-kit", "test", "bench", "scripts"]) {
      for (const e of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || !/\.(ts|mts|mjs|js|json)$/.test(e.name)) continue;
        const file = path.join(e.parentPath, e.name);
        if (file === fileURLToPath(import.meta.url)) continue;
        for (const m of readFileSync(file, "utf8").matchAll(/["']((?:\.\.\/)+shared\/[^"']*)["']/g)) {
          if (path.resolve(path.dirname(file), m[1]!).startsWith(path.resolve(ROOT, "../shared"))) offenders.push(path.relative(ROOT, file));
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
