import { defineConfig } from "vitest/config";
import { PARALLEL, nodeTest } from "./vitest.node.config.ts";

// The node files that may run beside the `node` project's (see PARALLEL). `npm test` runs this
// project and `node` as two vitest runs side by side, so three node files run at once (two of `node`) next to the
// workers project; on 2 cores a third lane only stretched every file. One process for all of
// them (isolate: false): a fresh process and module graph per file cost more than most files'
// tests. Its own group order: in a vitest run with the workers projects (whose worker count
// follows the cores) vitest needs one, and runs the groups one after the other.
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  test: { name: "node-parallel", ...nodeTest, include: PARALLEL, fileParallelism: false, isolate: false, sequence: { groupOrder: 1 } },
});
