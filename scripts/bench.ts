import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { plainIngest, splitIngest } from "../bench/workerd-plain/run.ts";
import { cliStartupFigures } from "./lib/cli-startup.ts";
import { ROOT } from "./lib/control-plane.ts";

/*
 * `npm run bench [-- --json FILE]`: the CLIs' start-up (`enc --version`, from a fresh build), the
 * workerd benchmarks (NotaryDO vs WebCrypto verify, seal, scheduler in a ClusterDO vs the pure
 * engine, resolver) and the Node ones (`enc ledger verify` on 100,000 receipts; the agent vs bare
 * runc vs podman, which need root). Every figure is printed as `BENCH <name> <value> <unit>
 * [(target <op> <n>)]`; the summary marks each target met or MISSED, and prints why a peer that
 * cannot run here did not. Speed is reported, never asserted: the exit code is that of the runs.
 */
const VITEST = path.join(ROOT, "node_modules/.bin/vitest");
const jsonAt = process.argv.indexOf("--json");
const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonFile) {
  console.error("usage: npm run bench -- [--json FILE]");
  process.exit(2);
}

interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}

const figures: Figure[] = [];
let failed = false;

const TARGET = /target ([<>]=?) ([0-9.]+)/;

function parse(line: string): Figure | null {
  const note = /^BENCH_NOTE (\S+) (.*)$/.exec(line);
  if (note) return { name: note[1], value: null, unit: "", note: note[2] };
  // A unit starts with a letter, so "node -e 0 98 ms" names "node -e 0"; a figure may have none.
  const m = /^BENCH (.+?) (-?[0-9.]+|Infinity|NaN) ([A-Za-z/%]\S*)(.*)$/.exec(line) ?? /^BENCH (.+?) (-?[0-9.]+|Infinity|NaN)()(.*)$/.exec(line);
  if (!m) return null;
  const f: Figure = { name: m[1], value: Number(m[2]), unit: m[3] };
  const t = TARGET.exec(m[4]);
  if (t) {
    const [op, n] = [t[1], Number(t[2])];
    f.target = `${op} ${t[2]}`;
    const v = f.value!;
    f.met = op === ">=" ? v >= n : op === ">" ? v > n : op === "<=" ? v <= n : v < n;
  }
  return f;
}

function show(f: Figure): string {
  if (f.note) return `${f.name}: not measured: ${f.note}`;
  const v = f.value! >= 100 ? f.value!.toFixed(0) : f.value!.toFixed(3);
  return `${f.name} ${v} ${f.unit}${f.target ? `  target ${f.target}  ${f.met ? "met" : "MISSED"}` : ""}`;
}

function collect(lines: string[]): void {
  for (const l of lines) {
    const f = parse(l.slice(l.search(/BENCH(_NOTE)? /)).trim());
    if (!f) continue;
    figures.push(f);
    console.log("  " + show(f));
  }
}

function run(config: string, label: string): void {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(VITEST, ["run", "--config", config], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 << 20 });
  const out = `${r.stdout}\n${r.stderr}`;
  collect(out.split("\n").filter((l) => /BENCH(_NOTE)? /.test(l)));
  if (r.status !== 0) {
    failed = true;
    console.log(out.split("\n").slice(-30).join("\n"));
    console.log(`✗ ${label} failed (exit ${r.status})`);
  }
}

console.log("\n▶ CLI start-up: built JavaScript, whole processes");
collect(await cliStartupFigures());
run("vitest.bench.config.ts", "inside workerd: NotaryDO vs WebCrypto, seal, scheduler in a ClusterDO vs the engine, resolver, ML-DSA-65 vs Ed25519, consensus placement latency");
// The same ingest outside the vitest pool (which wraps every DO and adds 1.3–2 ms to each RPC):
// the product's NotaryDO under plain `wrangler dev`, as a cross-check of the figure above.
/** A section whose figures come from `figures()`; a failure is reported and fails the run. */
async function section(title: string, figures: () => Promise<string[]>): Promise<void> {
  console.log(`\n▶ ${title}`);
  try {
    collect(await figures());
  } catch (e) {
    failed = true;
    console.log(`✗ ${title.split(" (")[0]} failed: ${(e as Error).message}`);
  }
}
await section("plain workerd (wrangler dev, no vitest pool): NotaryDO ingest vs WebCrypto verify", async () => {
  const f = await plainIngest();
  return [
    `BENCH notary.plain_workerd.ingest_receipts_per_s ${f.ingest_per_s.toFixed(0)} receipts/s`,
    `BENCH notary.plain_workerd.verify_per_s ${f.verify_per_s.toFixed(0)} verify/s`,
    `BENCH notary.plain_workerd.ingest_over_verify ${(f.ingest_per_s / f.verify_per_s).toFixed(3)} ratio`,
    `BENCH notary.plain_workerd.ingest_one_batch_in_flight_over_verify ${f.one_batch_in_flight_over_verify.toFixed(3)} ratio`,
    `BENCH notary.plain_workerd.ingest_pipelined_over_verify ${f.pipelined_over_verify.toFixed(3)} ratio`,
  ];
});
// The Worker verifies, the NotaryDO admits: with the two in different workerd processes, as
// production spreads Workers over threads and machines (docs/PERFORMANCE.md, "Seventh pass: ingest").
await section("split workerd (the verifying Worker and the NotaryDO in two wrangler dev processes): ingest vs WebCrypto verify", async () => {
  const f = await splitIngest();
  return [
    `BENCH notary.split_workerd.ingest_receipts_per_s ${f.ingest_per_s.toFixed(0)} receipts/s`,
    `BENCH notary.split_workerd.verify_per_s ${f.verify_per_s.toFixed(0)} verify/s`,
    `BENCH notary.split_workerd.ingest_over_verify ${(f.ingest_per_s / f.verify_per_s).toFixed(3)} ratio`,
    `BENCH notary.split_workerd.ingest_pipelined_over_verify ${f.pipelined_over_verify.toFixed(3)} ratio`,
    `BENCH notary.split_workerd.do_process_cpu_us_per_receipt_submitting ${f.submit_back_cpu_us_per_receipt.toFixed(1)} us`,
    `BENCH notary.split_workerd.front_process_cpu_us_per_receipt_submitting ${f.submit_front_cpu_us_per_receipt.toFixed(1)} us`,
    // What the DO's process could admit with a core of its own, from its CPU time while admitting.
    `BENCH notary.split_workerd.verify_cpu_us ${f.verify_cpu_us.toFixed(1)} us`,
    `BENCH notary.split_workerd.do_cpu_capacity_over_verify ${(f.verify_cpu_us / f.submit_back_cpu_us_per_receipt).toFixed(3)} ratio`,
  ];
});
if (process.getuid?.() === 0) run("vitest.bench-node.config.ts", "Node: enc ledger verify; ML-DSA-65 vs Ed25519; agent vs bare runc vs podman");
else {
  console.log("\n(skipping the Node benches: the agent's needs root for runc)");
  figures.push({ name: "agent.create_to_exit_true_median_ms", value: null, unit: "", note: "needs root for runc" });
}

const load = loadavg()[0];
const when = new Date().toISOString();
console.log(`\nSummary (${when}, ${process.platform}/${process.arch}, load average ${load.toFixed(1)}):`);
for (const f of figures) console.log("  " + (f.target ? (f.met ? "✓ " : "✗ ") : "  ") + show(f));
const missed = figures.filter((f) => f.target && !f.met);
console.log(missed.length ? `\n${missed.length} target(s) missed: ${missed.map((f) => f.name).join(", ")}` : "\nEvery target met.");
if (jsonFile) {
  writeFileSync(jsonFile, JSON.stringify({ at: when, platform: `${process.platform}/${process.arch}`, load_average_1m: load, figures }, null, 2) + "\n");
  console.log(`figures written to ${jsonFile}`);
}
if (failed) process.exitCode = 1;
