import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  test: {
    name: "node",
    environment: "node",
    include: [
      "test/protocol/**/*.test.ts", "test/repo/**/*.test.ts", "test/lint/**/*.test.ts", "test/contract/**/*.test.ts",
      "test/agent/**/*.test.ts", "test/cli/**/*.test.ts", "test/e2e/**/*.test.ts",
    ],
    // runc containers and wrangler dev instances share this 2-core machine: one file at a time.
    fileParallelism: false,
    // Each file in a fresh process: isolate: false saved ~1 s a file, but then the agent tests,
    // which run the daemon in-process, failed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // bin/ runs the build in dist/: every run tests a fresh one. The harness's setup hands out
    // the migrated D1 template and the one shared control plane (test/harness/control-plane.ts).
    globalSetup: ["./test/cli/global-setup.ts", "./test/harness/global-setup.ts"],
  },
});
