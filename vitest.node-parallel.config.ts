import { defineConfig } from "vitest/config";
import { PARALLEL, nodeTest } from "./vitest.node.config.ts";

// The node files that may run beside the `node` project's (see PARALLEL). One at a time here too:
// `npm test` runs this project and `node` as two vitest runs side by side, so two node files run
// at once next to the workers project; on 2 cores a third lane only stretched every file.
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  test: { name: "node-parallel", ...nodeTest, include: PARALLEL, fileParallelism: false, isolate: false },
});
