import { fileURLToPath } from "node:url";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_KEYS } from "./test/fixtures/keys.ts";
import { outboundFixtures } from "./test/fixtures/did-web-server.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            CONTROL_PLANE_KEY: TEST_KEYS.controlPlane,
            NOTARY_KEY: TEST_KEYS.notary,
            QLOCK_KEY: TEST_KEYS.qlock,
          },
          // The Worker's outbound fetches (did:web) meet fixtures instead of the internet.
          outboundService: outboundFixtures,
        },
      }),
    ],
    test: {
      name: "workers",
      include: ["test/worker/**/*.test.ts", "test/unit/**/*.test.ts", "test/protocol/**/*.test.ts"],
      setupFiles: ["test/worker/apply-migrations.ts"],
      globalSetup: ["test/worker/global-setup.ts"],
      // Alarm-driven tests wait for real seconds (heartbeat TTLs, seal windows).
      testTimeout: 30_000,
    },
  };
});
