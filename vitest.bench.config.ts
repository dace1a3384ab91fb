import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_KEYS } from "./test/fixtures/keys.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

// Benchmarks that must run inside workerd (NotaryDO, scheduler in a DO, resolver). They print
// figures; they assert nothing about speed. Run with `npm run bench`.
export default defineConfig(async () => ({
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
          CONTROL_PLANE_KEY: TEST_KEYS.controlPlane,
          NOTARY_KEY: TEST_KEYS.notary,
          QLOCK_KEY: TEST_KEYS.qlock,
        },
      },
    }),
  ],
  test: {
    name: "bench-workerd",
    include: ["bench/workerd/**/*.bench.ts"],
    setupFiles: ["test/worker/apply-migrations.ts"],
    testTimeout: 600_000,
    fileParallelism: false,
  },
}));
