import { defineConfig } from "vitest/config";

// Code that runs on Cloudflare is tested inside workerd (two projects: one shared workerd, and a
// fresh one per file for the few that need it); the agent, the CLI and the
// end-to-end runs are tested under Node (the agent needs real runc, so as root).
export default defineConfig({
  test: {
    projects: ["./vitest.workers.config.ts", "./vitest.workers-isolated.config.ts", "./vitest.node.config.ts", "./vitest.node-parallel.config.ts"],
  },
});
