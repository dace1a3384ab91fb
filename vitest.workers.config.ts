import { defineConfig } from "vitest/config";
import { ROOT, workerdPlugin } from "./test/workerd-plugin.ts";

// Files that fail intermittently when they share a workerd with the others (body-cap's chunked
// gateway request hung after gateway-ssrf's files in 3 of 4 shared runs): they run in the
// `workers-isolated` project (vitest.workers-isolated.config.ts), a fresh workerd each.
export const ISOLATED = ["test/worker/body-cap.test.ts"];

export const workersTest = {
  include: ["test/worker/**/*.test.ts", "test/unit/**/*.test.ts", "test/protocol/**/*.test.ts"],
  setupFiles: ["test/worker/apply-migrations.ts"],
  globalSetup: ["test/worker/global-setup.ts"],
  // Alarm-driven tests wait for real seconds (heartbeat TTLs, seal windows).
  testTimeout: 30_000,
};

export default defineConfig(async () => ({
  root: ROOT,
  plugins: [await workerdPlugin()],
  test: {
    name: "workers",
    ...workersTest,
    exclude: ISOLATED,
    // One workerd (and one module graph) for every file instead of one per file: the start of
    // each was three quarters of this project's time. Files then share storage; each test makes
    // its own clusters, wallets and names (helpers.ts uniq), so none depends on an empty one.
    isolate: false,
  },
}));
