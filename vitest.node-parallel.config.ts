import { defineConfig } from "vitest/config";
import { PARALLEL, nodeTest } from "./vitest.node.config.ts";

// The node files that may run side by side (see PARALLEL): two at a time, each in a fresh
// process. Its own group order: a vitest run that holds other projects runs it after them.
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  test: { name: "node-parallel", ...nodeTest, include: PARALLEL, maxWorkers: 2, sequence: { groupOrder: 1 } },
});
