// The node project's tests spawn bin/enc.mjs and bin/enc-agent.mjs, which run dist/: build it
// first (under a second), so a stale build is never what gets tested.
import { buildCli } from "../../scripts/build.ts";

// Once per process: both node projects of one vitest run list this setup. `npm test` builds
// before it starts its vitest runs (ENC_TEST_BUILT=1): a second build swapping dist/ while the
// other run's files start CLIs could catch it mid-swap.
const SLOT = Symbol.for("enc.test.cliBuild");

export default async function setup(): Promise<void> {
  if (process.env.ENC_TEST_BUILT === "1") return;
  const g = globalThis as unknown as Record<symbol, Promise<unknown> | undefined>;
  await (g[SLOT] ??= buildCli());
}
