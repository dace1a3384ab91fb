import { defineConfig } from "vitest/config";
import { ROOT, workerdPlugin } from "./test/workerd-plugin.ts";
import { ISOLATED, workersTest } from "./vitest.workers.config.ts";

// The workers project's files that need a workerd of their own (see ISOLATED).
export default defineConfig(async () => ({
  root: ROOT,
  plugins: [await workerdPlugin()],
  test: { name: "workers-isolated", ...workersTest, include: ISOLATED },
}));
