// `npx tsx bench/workerd-plain/profile-deploy.ts [ALGORITHM] [FILE]`: the ClusterDO deploy bench
// (10 deploys of 1,000 replicas onto 1,000 nodes) in plain workerd, the last round under V8's
// CPU profiler: self time per function inside ClusterDO.deployWorkload and inside the pure
// engine's bench (benchPlacements) of the same round, per 1,000 placements.
import { writeFileSync } from "node:fs";
import { plainDeploys, selfTimeByLine, selfTimeUnder } from "./run.ts";

const algorithm = process.argv[2] ?? "resource_based";
const file = process.argv[3] ?? "deploy.cpuprofile";
const { figures, profile } = await plainDeploys(algorithm, { rounds: Number(process.env.ROUNDS ?? 3), profile: true, deploys: Number(process.env.DEPLOYS ?? 10) });
for (const f of figures) {
  console.log(`${f.algorithm}: deploys ${f.deploy_placements_per_s.toFixed(0)} /s, engine ${f.engine_placements_per_s.toFixed(0)} /s, ratio ${f.do_over_engine.toFixed(3)}; deploy ms ${f.deploy_ms.map((x) => x.toFixed(1)).join(" ")}`);
}
writeFileSync(file, JSON.stringify(profile));
const per1000 = (ms: number, placements: number) => ((ms * 1000) / placements).toFixed(2).padStart(8);
const deploys = selfTimeUnder(profile!, "deployWorkload");
const n = Number(process.env.DEPLOYS ?? 10);
const engine = selfTimeUnder(profile!, "benchPlacements");
console.log(`profile: ${deploys.total.toFixed(0)} ms sampled; under deployWorkload ${per1000(deploys.under, n * 1000)} ms per 1,000; under benchPlacements ${per1000(engine.under, 20_000)} ms per 1,000 (2 × 10,000 + warm-up)`);
console.log("-- self time under deployWorkload, ms per deploy of 1,000");
for (const [name, ms] of deploys.top.slice(0, Number(process.env.TOP ?? 45))) console.log(`${per1000(ms, n * 1000)}  ${name}`);
console.log("-- self time under benchPlacements, ms per 1,000 placements");
for (const [name, ms] of engine.top.slice(0, 15)) console.log(`${per1000(ms, 22_000)}  ${name}`);
if (process.env.LINES) {
  for (const root of ["deployWorkload", "benchPlacements"]) {
    console.log(`-- by line under ${root} (ms total)`);
    for (const [k, ms] of [...selfTimeByLine(profile!, root)].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${ms.toFixed(1).padStart(8)}  ${k}`);
  }
}
console.log(`profile written to ${file}`);
