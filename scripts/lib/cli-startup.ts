// The CLIs' start-up time for `npm run bench`: whole processes, as a user typing the command sees
// them, run from a fresh build.
import { spawnSync } from "node:child_process";
import { buildCli, ROOT } from "../build.ts";

/** Median wall time of `node <args>` over `runs` runs, after one to warm the file cache. */
function medianMs(args: string[], runs = 10): number {
  spawnSync(process.execPath, args, { cwd: ROOT });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[(runs - 1) >> 1] + times[runs >> 1]) / 2);
}

/** `BENCH …` lines: enc and enc-agent --version against their target, and bare Node for scale. */
export async function cliStartupFigures(): Promise<string[]> {
  await buildCli();
  return [
    `BENCH enc --version ${medianMs(["bin/enc.mjs", "--version"])} ms (median of 10; target < 300 ms)`,
    `BENCH enc-agent --version ${medianMs(["bin/enc-agent.mjs", "--version"])} ms (median of 10; target < 300 ms)`,
    `BENCH enc help ${medianMs(["bin/enc.mjs", "help"])} ms (median of 10)`,
    // No CLI starts faster than Node itself: on a busy machine this shows how much of the above it is.
    `BENCH node -e 0 ${medianMs(["-e", "0"])} ms (median of 10; bare Node start-up)`,
  ];
}
