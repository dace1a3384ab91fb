// `enc exec` on the node: orders arrive in the verified desired state (so only what the control
// plane ordered runs), each runs once as `runc exec` in the replica's current container with the
// container's own process settings (user, env, cwd), and its outcome is posted back on the
// node's signed channel. Output is capped; a command past its timeout gets SIGTERM, then SIGKILL.
import { spawn } from "node:child_process";
import { EXEC_OUTPUT_MAX, type ExecOutcomeInput } from "../../protocol/api/exec.ts";
import type { ExecOrder } from "../../protocol/desired-state.ts";
import { isTransient, type ControlPlane } from "./control-plane.ts";
import type { Logger } from "./logger.ts";
import { sleep } from "./wakeup.ts";

export interface ExecTarget {
  runcBinary: string;
  runcRoot: string;
  /** the replica's running container on this node, or null */
  containerOf(replica: string): string | null;
}

export class ExecOrders {
  /** ids this process has taken on: an order stays in the desired state until it is answered */
  private readonly taken = new Set<string>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly cp: ControlPlane,
    private readonly target: ExecTarget,
    private readonly log: Logger,
    private readonly stop: AbortSignal,
  ) {}

  update(orders: ExecOrder[]): void {
    for (const o of orders) {
      if (this.taken.has(o.id)) continue;
      this.taken.add(o.id);
      if (Date.parse(o.expires_at) < Date.now()) {
        this.log.warn("exec order expired before it was seen; not run", { exec: o.id, replica: o.replica });
        continue;
      }
      const p = this.run(o).finally(() => this.running.delete(p));
      this.running.add(p);
    }
  }

  idle(): Promise<unknown> {
    return Promise.all([...this.running]);
  }

  private async run(o: ExecOrder): Promise<void> {
    const container = this.target.containerOf(o.replica);
    const started = Date.now();
    const result: ExecOutcomeInput = container
      ? { ...(await runcExec(this.target, container, o)), container }
      : { exit_code: null, error: `replica ${o.replica} has no running container on this node` };
    this.log.info("exec finished", { exec: o.id, replica: o.replica, container, exit_code: result.exit_code, ms: Date.now() - started, error: result.error });
    for (let attempt = 0; attempt < 5 && !this.stop.aborted; attempt++) {
      try {
        await this.cp.execResult(o.id, result);
        return;
      } catch (err) {
        if (!isTransient(err)) {
          this.log.warn("exec result refused", { exec: o.id, error: (err as Error).message });
          return;
        }
        await sleep(500 * 2 ** attempt, this.stop);
      }
    }
  }
}

function runcExec(t: ExecTarget, container: string, o: ExecOrder): Promise<ExecOutcomeInput> {
  return new Promise((resolve) => {
    const child = spawn(t.runcBinary, ["--root", t.runcRoot, "exec", container, ...o.command], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let sizes = [0, 0];
    let truncated = false;
    const collect = (into: Buffer[], i: 0 | 1) => (b: Buffer) => {
      const room = EXEC_OUTPUT_MAX - sizes[i]!;
      if (b.length > room) truncated = true;
      if (room > 0) into.push(b.subarray(0, room));
      sizes = i === 0 ? [sizes[0]! + Math.min(room, b.length), sizes[1]!] : [sizes[0]!, sizes[1]! + Math.min(room, b.length)];
    };
    child.stdout.on("data", collect(out, 0));
    child.stderr.on("data", collect(err, 1));
    child.stdin.on("error", () => {}); // the command may exit without reading its input
    child.stdin.end(o.stdin ? Buffer.from(o.stdin, "base64") : undefined);
    let timedOut = false;
    const term = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM"); // runc passes it on to the command
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    }, o.timeout_s * 1000);
    const finish = (code: number | null, error?: string) => {
      clearTimeout(term);
      resolve({
        exit_code: code,
        stdout: Buffer.concat(out).toString("base64"),
        stderr: Buffer.concat(err).toString("base64"),
        truncated,
        ...(error ? { error: error.slice(0, 2000) } : {}),
      });
    };
    child.on("error", (e) => finish(null, `runc exec could not start: ${e.message}`));
    child.on("close", (code, signal) => finish(timedOut ? null : code, timedOut ? `timed out after ${o.timeout_s} s` : signal ? `runc exec ended by ${signal}` : undefined));
  });
}
