import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { afterAll, describe, expect, it } from "vitest";

// The layer and cycle rules of eslint.config.js, shown to fire: a rule that never fails proves nothing.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CONFIG = path.join(ROOT, "eslint.config.js");
const eslint = new ESLint({ cwd: ROOT });

/** Some real .ts file of a folder (files move; the folder's layer does not). */
function someFile(folder: string): string {
  const walk = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) return p;
      if (e.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      }
    }
  };
  const found = walk(path.join(ROOT, folder));
  if (!found) throw new Error(`no .ts file under ${folder}/`);
  return found;
}

/** The import-x rules that fire on a probe file in `folder` importing a file of `target`. */
async function importRules(folder: string, target: string): Promise<string[]> {
  const probe = path.join(ROOT, folder, "layer-probe.ts");
  const spec = path.relative(path.dirname(probe), someFile(target)).split(path.sep).join("/");
  const [result] = await eslint.lintText(`import * as x from "${spec.startsWith(".") ? spec : `./${spec}`}";\nexport const y = x;\n`, { filePath: probe });
  return result.messages.map((m) => m.ruleId ?? m.message).filter((id) => id.startsWith("import-x/"));
}

describe("layers", () => {
  it.each([
    ["protocol", "domain"],
    ["protocol", "workers"],
    ["protocol", "durable-objects"],
    ["protocol", "node-agent"],
    ["protocol", "cli"],
    ["domain", "durable-objects"],
    ["domain", "workers"],
    ["durable-objects", "workers"],
    ["durable-objects", "node-agent"],
    ["cli", "workers"],
    ["cli", "domain"],
    ["cli", "node-agent"],
    ["node-agent", "domain"],
    ["node-agent", "durable-objects"],
    ["node-agent", "cli"],
    ["workers", "node-agent"],
    ["workers", "test"],
  ])("%s/ may not import %s/", async (folder, target) => {
    expect(await importRules(folder, target)).toEqual(["import-x/no-restricted-paths"]);
  });

  it.each([
    ["workers", "durable-objects"],
    ["workers", "domain"],
    ["workers", "protocol"],
    ["durable-objects", "domain"],
    ["durable-objects", "protocol"],
    ["domain", "protocol"],
    ["cli", "protocol"],
    ["node-agent", "protocol"],
    ["node-agent", "domain/scheduler"],
    ["test", "workers"],
    ["test", "node-agent"],
  ])("%s/ may import %s/", async (folder, target) => {
    expect(await importRules(folder, target)).toEqual([]);
  });

  it("cli-kit/ imports nothing of the project", async () => {
    expect(await importRules("cli-kit", "protocol")).toEqual(["import-x/no-restricted-paths"]);
  });
});

describe("cycles", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-cycle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an import cycle fails lint, type-only edges excepted", async () => {
    mkdirSync(path.join(dir, "m"), { recursive: true });
    writeFileSync(path.join(dir, "m/a.ts"), 'import { b } from "./b.ts";\nexport const a = () => b;\n');
    writeFileSync(path.join(dir, "m/b.ts"), 'import { a } from "./a.ts";\nexport const b = () => a;\n');
    writeFileSync(path.join(dir, "m/c.ts"), 'import type { D } from "./d.ts";\nexport type C = { d?: D };\n');
    writeFileSync(path.join(dir, "m/d.ts"), 'import type { C } from "./c.ts";\nexport type D = { c?: C };\n');
    const results = await new ESLint({ cwd: dir, overrideConfigFile: CONFIG }).lintFiles(["m/*.ts"]);
    const cycles = Object.fromEntries(results.map((r) => [path.basename(r.filePath), r.messages.filter((m) => m.ruleId === "import-x/no-cycle").length]));
    expect(cycles).toEqual({ "a.ts": 1, "b.ts": 1, "c.ts": 0, "d.ts": 0 });
  });
});
