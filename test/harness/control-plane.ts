import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startControlPlane, type ControlPlane } from "../../scripts/lib/control-plane.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";

/** A real Worker under wrangler dev with fresh local state, for end-to-end tests. */
export async function testControlPlane(): Promise<ControlPlane & { dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-cp-"));
  const cp = await startControlPlane({
    persistTo: dir,
    vars: { CONTROL_PLANE_KEY: TEST_KEYS.controlPlane, NOTARY_KEY: TEST_KEYS.notary, QLOCK_KEY: TEST_KEYS.qlock },
  });
  return {
    ...cp,
    dir,
    stop: async () => {
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
