import { defineConfig } from "vitest/config";
import { ROOT, workerdPlugin } from "./test/workerd-plugin.ts";

// Files that failed intermittently when sharing a workerd with the others run in the
// `workers-isolated` project (vitest.workers-isolated.config.ts), a fresh workerd each:
// failover's alarm-driven promotion missed once (1 of 3 shared runs) with every earlier file's
// alarms in the same runtime. (body-cap's gateway test also hangs at times after gateway-ssrf's,
// but with a workerd per file too: that is not this.) The API fuzz file is there too, for time:
// its ~10,000 requests are the project's longest file (100-130 s in npm test), and npm test runs
// `workers-isolated` as a lane of its own, beside the shared workerd's files.
export const ISOLATED = ["test/worker/failover.test.ts", "test/worker/api-fuzz.test.ts"];

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
