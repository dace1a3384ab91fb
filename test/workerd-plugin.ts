import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { outboundFixtures } from "./fixtures/did-web-server.ts";
import { TEST_KEYS } from "./fixtures/keys.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The Worker from wrangler.toml inside workerd, with the real migrations (applied by
 * test/worker/apply-migrations.ts), test-only keys, and did:web fetches met by fixtures.
 * Shared by the test and the workerd benchmark configs.
 */
export async function workerdPlugin() {
  return cloudflareTest({
    wrangler: { configPath: path.join(ROOT, "wrangler.toml") },
    miniflare: {
      bindings: {
        TEST_MIGRATIONS: await readD1Migrations(path.join(ROOT, "migrations")),
        CONTROL_PLANE_KEY: TEST_KEYS.controlPlane,
        NOTARY_KEY: TEST_KEYS.notary,
        QLOCK_KEY: TEST_KEYS.qlock,
        NOTARY_MLDSA_KEY: TEST_KEYS.notaryMldsa,
        CONTROL_PLANE_MLDSA_KEY: TEST_KEYS.controlPlaneMldsa,
      },
      outboundService: outboundFixtures,
    },
  });
}
