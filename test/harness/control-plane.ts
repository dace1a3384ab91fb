import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { startControlPlane, type ControlPlane } from "../../scripts/lib/control-plane.ts";
import { TEST_VARS } from "./global-setup.ts";

/** Asks the run's control-plane broker (test/harness/global-setup.ts); undefined without one. */
async function broker(what: "template" | "shared"): Promise<Record<string, string> | undefined> {
  const base = inject("controlPlaneBroker");
  if (!base) return undefined;
  const r = await fetch(`${base}/${what}`);
  const body = (await r.json()) as Record<string, string>;
  if (!r.ok) throw new Error(body.error);
  return body;
}

/**
 * A real Worker under wrangler dev with fresh local state of its own, for tests that change
 * what every cluster sees (e.g. rows and triggers of the D1 file). The migrated D1 is copied
 * from the run's template instead of migrated again.
 */
export async function testControlPlane(): Promise<ControlPlane & { dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-cp-"));
  const template = (await broker("template"))?.dir;
  if (template) cpSync(template, dir, { recursive: true });
  const cp = await startControlPlane({ persistTo: dir, migrate: !template, vars: TEST_VARS });
  return {
    ...cp,
    dir,
    stop: async () => {
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The one real Worker (wrangler dev) this run's test files share. Files keep out of each
 * other's way by names: each uses its own clusters (names unique across the node project), its
 * own wallets, DIDs and hosts. stop() does nothing: the run's global setup stops it.
 */
export async function sharedControlPlane(): Promise<{ url: string; stop(): Promise<void> }> {
  const shared = await broker("shared");
  if (!shared) throw new Error("sharedControlPlane() needs test/harness/global-setup.ts in the vitest project's globalSetup");
  return { url: shared.url, stop: async () => {} };
}
