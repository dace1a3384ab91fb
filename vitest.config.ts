import { defineConfig } from "vitest/config";
import { WorkerLastSequencer } from "./test/harness/sequencer.ts";

// Code that runs on Cloudflare is tested inside workerd (two projects: one shared workerd, and a
// fresh one per file for the few that need it); the agent, the CLI and the
// end-to-end runs are tested under Node (the agent needs real runc, so as root).
export default defineConfig({
  test: {
    // Node files that need no Worker first (test/harness/sequencer.ts).
    sequence: { sequencer: WorkerLastSequencer },
    projects: ["./vitest.workers.config.ts", "./vitest.workers-isolated.config.ts", "./vitest.node.config.ts", "./vitest.node-parallel.config.ts"],
  },
});
