// `enc exec` on the node: orders arrive in the verified desired state (so only what the control
// plane ordered runs), each runs once as `runc exec` in the replica's current container with the
// container's own process settings (user, env, cwd), and its outcome is posted back on the
// node's signed channel. Output is capped; a command past its timeout gets SIGTERM, then SIGKILL.
// A terminal session (tty) streams instead, through the exec's relay (see runTty).
import { spawn } from "node:child_process";
import { openSocket, type WebSocket } from "../../cli-kit/websocket.ts";
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
      ? { ...(await (o.tty ? this.runTty(o, container) : runcExec(this.target, container, o))), container }
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

  /**
   * A terminal session: attach to the exec's relay (signed upgrade), wait until the user is there
   * too, then run `runc exec -t` and pass bytes both ways. runc wants a terminal of its own to
   * hand the container's pseudo-terminal to (Node cannot receive one over a console socket), so
   * util-linux `script` gives it one; the size the user asked for is set on it first and runc
   * copies it into the container. The exit code goes back on the signed channel as for any exec.
   */
  private async runTty(o: ExecOrder, container: string): Promise<ExecOutcomeInput> {
    // Frames before the command starts: `ready`, then (from the user) input, kept in order.
    let onReady: (() => void) | undefined;
    const to: { sink?: (data: Buffer, binary: boolean) => void } = {};
    const early: [Buffer, boolean][] = [];
    let ready = false;
    const onMessage = (data: Buffer, binary: boolean) => {
      if (!ready && !binary && String(data) === JSON.stringify({ t: "ready" })) {
        ready = true;
        onReady?.();
      } else if (to.sink) to.sink(data, binary);
      else early.push([data, binary]);
    };
    let ws: WebSocket;
    try {
      ws = await openSocket(await this.cp.execAttachRequest(o.id), onMessage);
    } catch (err) {
      return { exit_code: null, error: `could not attach to the terminal session: ${(err as Error).message}` };
    }
    const userThere =
      ready ||
      (await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), Math.max(5_000, Date.parse(o.expires_at) - Date.now() + 5_000));
        onReady = () => {
          clearTimeout(t);
          resolve(true);
        };
        ws.once("close", () => {
          clearTimeout(t);
          resolve(false);
        });
      }));
    if (!userThere) {
      ws.close(1000, "the user did not attach");
      return { exit_code: null, error: "the user did not attach to the terminal session" };
    }
    const runc = [this.target.runcBinary, "--root", this.target.runcRoot, "exec", "-t", "--env", "TERM=xterm", container, ...o.command].map(shellQuote).join(" ");
    const size = o.rows && o.cols ? `stty rows ${o.rows} cols ${o.cols} 2>/dev/null; ` : "";
    const child = spawn("script", ["-qfec", `${size}exec ${runc}`, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"], detached: true, env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", SHELL: "/bin/sh" } });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    child.stdin.on("error", () => {});
    const forward = (b: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(b, { binary: true });
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    const sink = (data: Buffer, binary: boolean) => {
      if (binary) child.stdin.write(data);
      else if (String(data) === JSON.stringify({ t: "eof" })) child.stdin.end();
    };
    for (const [data, binary] of early.splice(0)) sink(data, binary);
    to.sink = sink;
    let hungUp = false;
    ws.on("close", () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      hungUp = true;
      killGroup("SIGHUP"); // the container's shell sees its terminal go, as over ssh
      setTimeout(() => killGroup("SIGKILL"), 2000).unref();
    });
    let timedOut = false;
    const term = setTimeout(() => {
      timedOut = true;
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), 2000).unref();
    }, o.timeout_s * 1000);
    return new Promise((resolve) => {
      const finish = (code: number | null, error?: string) => {
        clearTimeout(term);
        if (ws.readyState === ws.OPEN) ws.close(1000, code === null ? "ended" : `exit ${code}`);
        resolve({ exit_code: code, ...(error ? { error } : {}) });
      };
      child.on("error", (e) => finish(null, `script/runc exec could not start: ${e.message}`));
      child.on("close", (code, signal) =>
        finish(timedOut || hungUp ? null : code, timedOut ? `timed out after ${o.timeout_s} s` : hungUp ? "the user hung up" : signal ? `runc exec ended by ${signal}` : undefined),
      );
    });
  }
}

/** One word for `sh -c`, whatever it contains. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
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
