// The node project's tests spawn bin/enc.mjs and bin/enc-agent.mjs, which run dist/: build it
// first (under a second), so a stale build is never what gets tested.
import { buildCli } from "../../scripts/build.ts";

export default async function setup(): Promise<void> {
  await buildCli();
}
