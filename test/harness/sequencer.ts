// File order of every project: vitest's (failed first, then slowest first, from its cache),
// except that in the node projects the files that need a Worker (wrangler dev) come after those
// that need none. The shared Worker boots in 10-60 s on the loaded 2-core box; the files without
// one run meanwhile instead of spending their hook timeouts waiting for it.
import { readFileSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const NEEDS_WORKER = /\b(sharedControlPlane|startCluster|testControlPlane)\(/;

export class WorkerLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const late = (f: TestSpecification) => f.project.name.startsWith("node") && NEEDS_WORKER.test(readFileSync(f.moduleId, "utf8"));
    const needs = new Map(sorted.map((f) => [f, late(f)]));
    // Stable within each project: projects keep their places in the order.
    const out: TestSpecification[] = [];
    for (const name of [...new Set(sorted.map((f) => f.project.name))]) {
      const mine = sorted.filter((f) => f.project.name === name);
      out.push(...mine.filter((f) => !needs.get(f)), ...mine.filter((f) => needs.get(f)));
    }
    return out;
  }
}
