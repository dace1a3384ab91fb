// The built CLIs load their command table, not their commands: with every lazily imported module
// removed from a build, help and --version still work, and running a command fails for want of
// exactly its module.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_COMMANDS } from "../../node-agent/command-table.ts";
import { COMMANDS } from "../../cli/commands/index.ts";
import { buildCli, ROOT } from "../../scripts/build.ts";

// Inside the repository so the build's external packages resolve from node_modules.
const OUT = path.join(ROOT, "node_modules", ".cache", `enc-lazy-test-${process.pid}`);
const VERSION = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;

/** What bin/ does, with this build in place of dist/. */
function run(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `const { main } = await import(${JSON.stringify(path.join(OUT, bin))}); process.exit(await main(process.argv.slice(1)));`;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--input-type=module", "-e", script, "--", ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: OUT }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

let removed: string[];

beforeAll(async () => {
  await buildCli(OUT);
  // esbuild names a dynamically imported module's chunk after its file and a shared chunk
  // "chunk-…": remove every command (the lazily loaded context and error report stay).
  const chunks = path.join(OUT, "chunks");
  removed = readdirSync(chunks).filter((f) => !/^(chunk|context|report)-/.test(f));
  for (const f of removed) rmSync(path.join(chunks, f));
});
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe("lazy command tables", () => {
  it("every command is a chunk of its own", () => {
    for (const file of ["wallet-new", "deploy", "ledger-verify", "version", "command-join", "command-run"]) {
      expect(removed.some((f) => f.startsWith(file + "-")), file).toBe(true);
    }
  });

  it("enc help and --version load no command", async () => {
    const help = await run("enc.mjs", ["help"]);
    expect(help.code, help.stderr).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${c.name}\\s+${c.summary.slice(0, 20).replace(/[()$]/g, "\\$&")}`, "m"));
    expect(await run("enc.mjs", ["--version"])).toEqual({ code: 0, stdout: VERSION + "\n", stderr: "" });
    expect((await run("enc.mjs", ["wallet", "--help"])).stdout).toMatch(/wallet new\s+Create a wallet/);
  });

  it("enc-agent help and --version load no command", async () => {
    const help = await run("enc-agent.mjs", ["help"]);
    expect(help.code, help.stderr).toBe(0);
    for (const c of AGENT_COMMANDS) expect(help.stdout).toContain(`  ${c.name}`);
    expect(await run("enc-agent.mjs", ["--version"])).toEqual({ code: 0, stdout: VERSION + "\n", stderr: "" });
  });

  it("a command imports its own module when selected", async () => {
    const r = await run("enc.mjs", ["wallet", "show"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/chunks\/wallet-show-\w+\.mjs/);
    const a = await run("enc-agent.mjs", ["status"]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/chunks\/command-status-\w+\.mjs/);
  });
});
