import { defineConfig } from "vitest/config";

// Two projects: code that runs on Cloudflare is tested inside workerd; the agent, the CLI and the
// end-to-end runs are tested under Node (the agent needs real runc, so as root).
export default defineConfig({
  test: {
    projects: ["./vitest.workers.config.ts", "./vitest.node.config.ts"],
  },
});
