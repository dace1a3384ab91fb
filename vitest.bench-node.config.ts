import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Node-side benchmarks (agent and runc; needs root). They print figures and assert no speed.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: { name: "bench-node", include: ["bench/node/**/*.bench.ts"], testTimeout: 600_000, fileParallelism: false },
});
