import { defineConfig } from "vitest/config";
import { PARALLEL, nodeTest } from "./vitest.node.config.ts";

// The node files that may run beside the `node` project's (see PARALLEL). `npm test` runs this
// project and `node` as two vitest runs side by side. Two worker processes, each running its
// files one after another without isolation (isolate: false: a fresh process and module graph
// per file cost more than most files' tests). Two, not one: these files mostly wait on the shared
// Worker and on CLI subprocesses, and one at a time left this lane at 400 s with the cores 40 %
// idle; two at a time it took 313 s (docs/PERFORMANCE.md, "Fourth pass"). Its own group order:
// in a vitest run with the workers projects (whose worker count follows the cores) vitest needs
// one, and runs the groups one after the other.
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  test: { name: "node-parallel", ...nodeTest, include: PARALLEL, fileParallelism: true, maxWorkers: 2, isolate: false, sequence: { groupOrder: 1 } },
});
