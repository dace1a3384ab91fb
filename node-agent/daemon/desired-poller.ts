// Receives the node's desired state by long-poll. Each answer is verified (desired-state.ts)
// before the reconciler sees it; versions only move forward. The heartbeat can `kick` the
// poller when it learns of a newer version, which ends the current wait at once.
import { AgentError } from "../agent-error.ts";
import { isTransient, type ControlPlane } from "./control-plane.ts";
import { readJsonFile, writeJsonAtomic } from "./data-dir.ts";
import type { CheckedDesiredState, DesiredStateExpect } from "../../protocol/desired-state.ts";
import { verifyDesiredState } from "./desired-state.ts";
import type { Logger } from "./logger.ts";
import { sleep } from "./wakeup.ts";

export class DesiredPoller {
  version = -1;
  private cancel = new AbortController();
  private failures = 0;

  constructor(
    private readonly cp: ControlPlane,
    private readonly verify: DesiredStateExpect,
    private readonly versionFile: string,
    private readonly onState: (ds: CheckedDesiredState) => Promise<void> | void,
    private readonly log: Logger,
    private readonly waitS = 25,
  ) {
    this.version = readJsonFile<{ version: number }>(versionFile)?.version ?? -1;
  }

  /** Ends the current long-poll so the next request asks right away. */
  kick(): void {
    this.cancel.abort();
  }

  async run(signal: AbortSignal): Promise<void> {
    let first = true;
    while (!signal.aborted) {
      this.cancel = new AbortController();
      const kicked = this.cancel.signal;
      // The first request after start-up, or after a kick, must not wait: act on what is there now.
      const wait = first ? 0 : this.waitS;
      try {
        const raw = await this.cp.desired(Math.max(0, this.version), wait, AbortSignal.any([signal, kicked]));
        const ds = await verifyDesiredState(raw, this.verify);
        if (ds.version < this.version) {
          throw new AgentError("bad_desired_state", `desired state refused: version ${ds.version} is older than ${this.version}, already applied`);
        }
        if (this.failures) this.log.info("desired state flowing again");
        this.failures = 0;
        first = false;
        if (ds.version !== this.version) this.log.info("desired state", { version: ds.version, replicas: ds.replicas.length });
        this.version = ds.version;
        writeJsonAtomic(this.versionFile, { version: ds.version, hash: ds.hash });
        await this.onState(ds);
      } catch (err) {
        if (signal.aborted) break;
        if (kicked.aborted) {
          first = true;
          continue;
        }
        this.failures++;
        const transient = isTransient(err);
        if (this.failures === 1 || this.failures % 30 === 0) {
          this.log[transient ? "warn" : "error"]("desired state not received", { error: (err as Error).message, failures: this.failures });
        }
        await sleep(Math.min(5000, 250 * 2 ** Math.min(this.failures, 5)), AbortSignal.any([signal, kicked]));
        if (kicked.aborted) first = true;
      }
    }
  }
}
