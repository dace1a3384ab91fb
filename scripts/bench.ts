import { spawnSync } from "node:child_process";
import path from "node:path";
import { cliStartupFigures } from "./lib/cli-startup.ts";
import { ROOT } from "./lib/control-plane.ts";

/*
 * `npm run bench`: the CLIs' start-up (`enc --version`, from a fresh build), the workerd benchmarks
 * (NotaryDO, Ed25519, scheduler in a ClusterDO, resolver) and the Node ones (agent vs bare runc;
 * needs root and runc). Prints every figure as `BENCH <name> <value> <unit>` and a summary at the
 * end; asserts nothing about speed.
 */
const VITEST = path.join(ROOT, "node_modules/.bin/vitest");

function run(config: string, label: string): string[] {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(VITEST, ["run", "--config", config], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const out = `${r.stdout}\n${r.stderr}`;
  const lines = out.split("\n").filter((l) => l.includes("BENCH "));
  for (const l of lines) console.log("  " + l.slice(l.indexOf("BENCH ")));
  if (r.status !== 0) {
    console.log(out.split("\n").slice(-30).join("\n"));
    console.log(`✗ ${label} failed (exit ${r.status})`);
  }
  return lines.map((l) => l.slice(l.indexOf("BENCH ")));
}

async function cliStartup(): Promise<string[]> {
  console.log("\n▶ CLI start-up: built JavaScript, whole processes");
  const lines = await cliStartupFigures();
  for (const l of lines) console.log("  " + l);
  return lines;
}

const figures = [
  ...(await cliStartup()),
  ...run("vitest.bench.config.ts", "inside workerd: NotaryDO, Ed25519, scheduler, resolver"),
  ...(process.getuid?.() === 0 ? run("vitest.bench-node.config.ts", "node agent vs bare runc") : (console.log("\n(skipping the agent bench: it needs root for runc)"), [])),
];
console.log(`\nSummary (${new Date().toISOString()}, ${process.platform}/${process.arch}):`);
for (const f of figures) console.log("  " + f.replace(/^BENCH /, ""));
