// Waiting for a container's end in a way the daemon can walk away from. Container.wait() polls
// until the exit and cannot be cancelled, which would keep a stopping agent alive for as long as
// its containers run; this watches the shim's status file (and runc, for a shim that vanished)
// and hands over to wait() only once the end is there to collect.
import fs from "node:fs";
import type { Container } from "../cage/container.ts";
import type { ExitInfo } from "../cage/meta.ts";
import { sleep } from "./wakeup.ts";

const POLL_MS = 25; // a stat per tick: cheap, and exits are noticed promptly
const RUNC_EVERY = 80; // polls between asking runc (a process spawn) whether it still runs

/** The container's exit info once it has ended; null if `signal` fires first. */
export async function whenExited(c: Container, signal: AbortSignal): Promise<ExitInfo | null> {
  for (let tick = 1; !signal.aborted; tick++) {
    if (fs.existsSync(c.paths.exitCode) || fs.existsSync(c.paths.exit)) return c.wait();
    if (tick % RUNC_EVERY === 0) {
      const st = await c.runc.state(c.id).catch(() => undefined);
      if (st === null || st?.status === "stopped") return c.wait(); // gone without a status: wait() says "lost"
    }
    await sleep(POLL_MS, signal);
  }
  return null;
}
