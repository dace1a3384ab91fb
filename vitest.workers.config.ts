import { defineConfig } from "vitest/config";
import { ROOT, workerdPlugin } from "./test/workerd-plugin.ts";

export default defineConfig(async () => ({
  root: ROOT,
  plugins: [await workerdPlugin()],
  test: {
    name: "workers",
    include: ["test/worker/**/*.test.ts", "test/unit/**/*.test.ts", "test/protocol/**/*.test.ts"],
    setupFiles: ["test/worker/apply-migrations.ts"],
    globalSetup: ["test/worker/global-setup.ts"],
    // Alarm-driven tests wait for real seconds (heartbeat TTLs, seal windows).
    testTimeout: 30_000,
  },
}));
