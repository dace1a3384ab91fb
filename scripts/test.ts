// `npm test`: lint, typecheck and the vitest projects in overlapping lanes. Run one after another
// they took the sum; the node projects spend most of their time waiting on runc, agents and the
// Worker, so on 2 cores the rest fits into that idle time. Any failure fails the whole run.
// vitest's output streams as it comes (runs interleaved); lint's and tsc's print when they end.
// Arguments go to vitest (e.g. `npm test -- --project node`). Caches live in node_modules/.cache
// and only speed up re-runs: eslint's keys on file contents, tsc's build info is incremental.
import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./lib/control-plane.ts";
import { buildCli } from "./build.ts";
import { startBroker, type Broker } from "../test/harness/global-setup.ts";

const T0 = Date.now();
const CACHE = path.join(ROOT, "node_modules/.cache");
const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);
// TypeScript 7 (the native compiler, an alias beside 5.9, which typescript-eslint's parser still
// needs): the same checks in a third of 5.9's CPU time (docs/PERFORMANCE.md, "Fifth pass").
const tsc = path.join(ROOT, "node_modules/typescript-native/bin/tsc");

interface Job {
  name: string;
  cmd: string;
  args: string[];
  stream?: boolean;
  /** jobs to wait for (pass or fail) before starting */
  after?: string[];
  /** gets the run's broker and build (sharedEnv) */
  shared?: boolean;
}

const JOBS: Job[] = [
  { name: "lint", cmd: bin("eslint"), args: [".", "--cache", "--cache-strategy", "content", "--cache-location", path.join(CACHE, "eslint/")] },
  { name: "typecheck", cmd: tsc, args: ["--noEmit", "--incremental", "--tsBuildInfoFile", path.join(CACHE, "tsc/tsconfig.tsbuildinfo")], after: ["lint"] },
  // The console's page script under the DOM lib (its own tsconfig: the bundle is built with esbuild, which does not typecheck).
  { name: "typecheck-console", cmd: tsc, args: ["-p", "workers/console/client", "--noEmit"], after: ["typecheck"] },
];
// One vitest run executes its projects' groups one after another, so side-by-side projects are
// separate runs. Three lanes on 2 cores: `node` (runc, agents, real-time windows; mostly
// waiting), `node-parallel` (the node files that may run beside those: CLI, protocol, files on
// the shared Worker), and the CPU-bound lanes lint -> workers and workers-isolated (workerd; the
// latter holds the API fuzz file, the longest, so that it runs beside the rest), with tsc beside: the
// workers run's own start-up (~60 s: transform, workerd, setup) overlaps tsc's check, and the run
// then ends with the node lanes instead of ~110 s after them (docs/PERFORMANCE.md, "Fourth
// pass"). The node runs share one build of dist/ (made here first) and one control-plane broker
// (test/harness/global-setup.ts): one `wrangler dev`.
const args = process.argv.slice(2);
// ENC_TEST_JSON_DIR=dir also writes each vitest run's JSON report to dir/<run>.json (per-file
// start and end times: where the time went).
const JSON_DIR = process.env.ENC_TEST_JSON_DIR;
const report = (name: string) => (JSON_DIR ? ["--reporter=default", "--reporter=json", `--outputFile.json=${path.resolve(JSON_DIR, `${name}.json`)}`] : []);
const NODE_RUN = ["node", "node-parallel"];
if (args.length) JOBS.push({ name: "vitest", cmd: bin("vitest"), args: ["run", ...args], stream: true });
else {
  for (const p of NODE_RUN) JOBS.push({ name: p, cmd: bin("vitest"), args: ["run", "--project", p, ...report(p)], stream: true, shared: true });
  for (const p of ["workers", "workers-isolated"]) JOBS.push({ name: p, cmd: bin("vitest"), args: ["run", "--project", p, ...report(p)], stream: true, after: ["lint"] });
}
let sharedEnv: Record<string, string> = {};
let broker: Broker | undefined;
if (!args.length) {
  await buildCli();
  broker = await startBroker();
  broker.warmShared();
  sharedEnv = { ENC_TEST_BROKER: broker.url, ENC_TEST_BUILT: "1" };
}

interface Result {
  job: Job;
  code: number;
  output: string;
  seconds: number;
}

function run(job: Job): Promise<Result> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const env = { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}), ...(job.shared ? sharedEnv : {}) };
    const child = spawn(job.cmd, job.args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // Streamed jobs print whole lines, each marked with the job's name.
    const partial = { out: "", err: "" };
    const take = (which: "out" | "err", text: string) => {
      if (!job.stream) return void (output += text);
      const lines = (partial[which] + text).split("\n");
      partial[which] = lines.pop()!;
      for (const l of lines) (which === "out" ? process.stdout : process.stderr).write(`${job.name} | ${l}\n`);
    };
    child.stdout.setEncoding("utf8").on("data", (t: string) => take("out", t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => take("err", t));
    const done = (code: number) => {
      if (partial.out) process.stdout.write(`${job.name} | ${partial.out}\n`);
      if (partial.err) process.stderr.write(`${job.name} | ${partial.err}\n`);
      partial.out = partial.err = "";
      const seconds = (Date.now() - t0) / 1000;
      if (!job.stream) process.stderr.write(`\n[test] ${job.name} ${code === 0 ? "passed" : "FAILED"} in ${seconds.toFixed(1)} s\n`);
      resolve({ job, code, output, seconds });
    };
    child.on("error", (err) => {
      output += String(err);
      done(1);
    });
    child.on("close", (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

const started = new Map<string, Promise<Result>>();
for (const job of JOBS) {
  const deps = (job.after ?? []).map((n) => started.get(n)!);
  started.set(job.name, Promise.all(deps).then(() => run(job)));
}
const results = await Promise.all(started.values());
await broker?.close();
for (const r of results) {
  if (r.job.stream) continue;
  if (r.output.trim()) process.stdout.write(`\n── ${r.job.name} (exit ${r.code}) ──\n${r.output.trimEnd()}\n`);
}
process.stdout.write("\n");
for (const r of results) process.stdout.write(`[test] ${r.job.name.padEnd(9)} ${r.code === 0 ? "ok    " : "FAILED"} ${r.seconds.toFixed(1).padStart(6)} s\n`);
process.stdout.write(`[test] all       ${((Date.now() - T0) / 1000).toFixed(1).padStart(13)} s\n`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
