import { defineConfig } from "vitest/config";
import { ROOT, workerdPlugin } from "./test/workerd-plugin.ts";

// Benchmarks that must run inside workerd (NotaryDO, scheduler in a DO, resolver). They print
// figures; they assert nothing about speed. Run with `npm run bench`.
export default defineConfig(async () => ({
  root: ROOT,
  plugins: [await workerdPlugin()],
  test: {
    name: "bench-workerd",
    include: ["bench/workerd/**/*.bench.ts"],
    setupFiles: ["test/worker/apply-migrations.ts"],
    testTimeout: 600_000,
    fileParallelism: false,
  },
}));
