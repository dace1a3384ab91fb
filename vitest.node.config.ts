import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// Node files that can run beside the `node` project's: no runc, no agent, no fixed real-time
// windows; they talk to the shared Worker under names of their own, to a Worker of their own, or
// to nothing. They form the `node-parallel` project (vitest.node-parallel.config.ts); `npm test`
// runs it beside `node`, so two node files run at a time. A file that starts containers or
// agents, or waits out real-time TTLs, stays in `node`.
export const PARALLEL = [
  "test/protocol/**/*.test.ts", "test/repo/**/*.test.ts", "test/lint/**/*.test.ts", "test/contract/**/*.test.ts",
  "test/cli/**/*.test.ts", "test/e2e/go-tlog.test.ts", "test/e2e/witness.test.ts",
  "test/agent/command-line.test.ts", "test/agent/failure-reports.test.ts", "test/agent/image-reference.test.ts",
  "test/agent/witness.test.ts", "test/agent/control-plane-desired.test.ts", "test/agent/daemon-spool.test.ts",
  "test/agent/image-registry.test.ts", "test/agent/registry-redirects.test.ts",
];

export const nodeTest = {
  environment: "node",
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // bin/ runs the build in dist/: every run tests a fresh one. The harness's setup hands out
  // the migrated D1 template and the one shared control plane (test/harness/control-plane.ts).
  globalSetup: ["./test/cli/global-setup.ts", "./test/harness/global-setup.ts"],
};

export default defineConfig({
  root,
  test: {
    name: "node",
    ...nodeTest,
    include: [
      "test/protocol/**/*.test.ts", "test/repo/**/*.test.ts", "test/lint/**/*.test.ts", "test/contract/**/*.test.ts",
      "test/agent/**/*.test.ts", "test/cli/**/*.test.ts", "test/e2e/**/*.test.ts",
    ],
    exclude: PARALLEL,
    // runc containers and agent fleets share this 2-core machine: one file at a time.
    fileParallelism: false,
    // Each file in a fresh process: isolate: false saved ~1 s a file, but then the agent tests,
    // which run the daemon in-process, failed.
  },
});
