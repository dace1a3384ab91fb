import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// Node files that can run beside the `node` project's: no runc, no agent, no fixed real-time
// windows; they talk to the shared Worker under names of their own, to a Worker of their own, or
// to nothing. They form the `node-parallel` project (vitest.node-parallel.config.ts); `npm test`
// runs it beside `node`, so four node files run at a time (two of each). A file that starts containers or
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
    // Two files at a time, each in its own process: a file here spends most of its time waiting
    // (heartbeats, rollouts, drains, runc starts), and one at a time made this project the suite's
    // critical path (383 s of 384). The files keep out of each other's way: each has its own
    // cluster names on the shared Worker, its own data dirs (runc roots, id ranges) and host ports
    // claimed through the host's claims dir or a range of its own.
    fileParallelism: true,
    maxWorkers: 2,
    // A worker count other than the workers projects' needs a group of its own in a plain
    // `vitest run` (vitest refuses two counts in one group); npm test runs it as its own run anyway.
    sequence: { groupOrder: 2 },
    // Each file in a fresh process: isolate: false saved ~1 s a file, but then the agent tests,
    // which run the daemon in-process, failed.
  },
});
