// One caged container: create → start → wait (exit info with witness) → delete; or adopt one a
// previous agent process started. See CAGE.md for the stdio and adoption design.
import fs from "node:fs";
import { constants as osConstants } from "node:os";
import { writeBundle, type CreateInput } from "./bundle.ts";
import { collectExit } from "./collect-exit.ts";
import { EntropyFeeder } from "./entropy-feeder.ts";
import { CageError } from "./errors.ts";
import { nowIso, readJson, writeJsonAtomic, type CageMeta, type ExitInfo } from "./meta.ts";
import { resolveCageOptions, type CageOptions, type ResolvedCageOptions } from "./options.ts";
import { DirWatch } from "./dir-watch.ts";
import { containerPaths, type ContainerPaths } from "./paths.ts";
import { Runc, type RuncState, type RuncStats } from "./runc.ts";
import { isAlive, spawnShim } from "./shim.ts";
import { refillSpareDirs } from "./spare-dirs.ts";

export type ContainerStatus = "created" | "starting" | "running" | "paused" | "stopped" | "exited";

const POLL_MS = 100; // when inotify is unavailable
const WATCH_POLL_MS = 500; // safety net while inotify watches
const CHECK_MS = 1000; // between liveness checks (shim pid, `runc state`)
const LOST_AFTER_MS = 10_000; // container gone, shim pid alive but silent: it is not our shim

export class Container {
  private feeder?: EntropyFeeder;
  private offsetTimer?: NodeJS.Timeout;
  private waiting?: Promise<ExitInfo>;
  private killedWith?: number;
  readonly paths: ContainerPaths;
  readonly runc: Runc;

  private constructor(
    readonly options: ResolvedCageOptions,
    public meta: CageMeta,
  ) {
    this.paths = containerPaths(options.dataDir, meta.id);
    this.runc = new Runc(options.runcRoot, options.runcBinary);
  }

  get id(): string {
    return this.meta.id;
  }

  /** "blake3:…" seed commitment for receipts (deterministic cages only). */
  get seed(): string | undefined {
    return this.meta.seed;
  }

  /** Writes the bundle; nothing runs until start(). */
  static async create(options: CageOptions, input: CreateInput): Promise<Container> {
    const o = resolveCageOptions(options);
    return new Container(o, await writeBundle(o, input));
  }

  /** Re-attaches to a container created by this or an earlier agent process. */
  static async adopt(options: CageOptions, id: string): Promise<Container> {
    const o = resolveCageOptions(options);
    const meta = readJson<CageMeta>(containerPaths(o.dataDir, id).meta);
    if (!meta) throw new CageError("not_found", `no container ${id} under ${o.dataDir}`);
    const c = new Container(o, meta);
    if (meta.determinism && meta.startedAt && c.readExitCode() === null && !fs.existsSync(c.paths.exit)) {
      // Whatever sat in the old pipe buffer is gone or still there: no way to know which bytes the
      // workload saw, so the run is no longer vouched for; feeding goes on so readers never block.
      const offset = Number(fs.existsSync(c.paths.entropyOffset) ? fs.readFileSync(c.paths.entropyOffset, "utf8").trim() : 0) || 0;
      c.meta = { ...meta, adoptedWhileRunning: true };
      writeJsonAtomic(c.paths.meta, c.meta);
      await c.startFeeder(offset);
    }
    return c;
  }

  private async startFeeder(offset: number): Promise<void> {
    if (!this.meta.seedHex) return;
    this.feeder = await EntropyFeeder.start(this.paths.entropyFifo, Buffer.from(this.meta.seedHex, "hex"), offset);
    this.offsetTimer = setInterval(() => this.saveOffset(), 2000);
    this.offsetTimer.unref();
  }

  private saveOffset(): void {
    if (this.feeder) fs.writeFileSync(this.paths.entropyOffset, String(this.feeder.written));
  }

  private stopFeeder(): void {
    if (this.offsetTimer) clearInterval(this.offsetTimer);
    this.saveOffset();
    this.feeder?.close();
    this.feeder = undefined;
  }

  /** Starts the container; resolves once runc has started its process (or has failed to). */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.meta.startedAt) throw new CageError("state", `container ${this.id} was already started`);
    if (this.meta.determinism) await this.startFeeder(0);
    this.meta = { ...this.meta, startedAt: nowIso() };
    // Watching before the shim exists, so neither runc's pid file nor the exit status can slip by.
    const watch = new DirWatch(this.paths.dir, ["init.pid", "exit_code", "exit_code.tmp"]);
    try {
      const shimPid = spawnShim({
        runcBinary: this.options.runcBinary,
        runcRoot: this.options.runcRoot,
        id: this.id,
        paths: this.paths,
        stdinFile: this.meta.hasStdin ? this.paths.stdin : undefined,
        noAslr: this.meta.determinism && this.meta.aslr === false,
      });
      // Both while runc starts the container (it takes tens of ms before it runs anything):
      const precreated = Promise.all([this.precreate(), refillSpareDirs(this.options.dataDir)]);
      this.meta = { ...this.meta, shimPid };
      writeJsonAtomic(this.paths.meta, this.meta);
      const deadline = Date.now() + timeoutMs;
      while (!fs.existsSync(this.paths.pid) && this.readExitCode() === null) {
        const left = deadline - Date.now();
        if (left < 0) throw new CageError("runc", `container ${this.id} did not start within ${timeoutMs} ms`);
        await watch.next(Math.min(left + 1, watch.watching ? WATCH_POLL_MS : 20));
      }
      await precreated;
    } finally {
      watch.close();
    }
  }

  /**
   * Creates, empty, the temp files that the exit path later fills and renames (the shim's status,
   * the witness log and summary, exit.json) while runc is still starting the container: creating
   * an inode is the slow part of writing a small file, and here it costs nothing. Never replaces
   * an existing file (the shim may already have written its status).
   */
  private async precreate(): Promise<void> {
    const files = [`${this.paths.exitCode}.tmp`, `${this.paths.witnessLog}.tmp`, `${this.paths.witnessRoot}.tmp`, `${this.paths.exit}.tmp`];
    await Promise.all(files.map((f) => fs.promises.open(f, "wx").then((h) => h.close(), () => undefined)));
  }

  private readExitCode(): number | null {
    const read = (file: string): string | null => {
      try {
        return fs.readFileSync(file, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    };
    const text = read(this.paths.exitCode);
    if (text !== null) return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
    // The shim's status before its `mv` lands: one write of "<status>\n" by the shell's echo, so
    // a complete line is the whole status (and a partial write is no status yet).
    const pending = read(`${this.paths.exitCode}.tmp`);
    return pending !== null && /^\d+\n$/.test(pending) ? Number(pending.trim()) : null;
  }

  /** Waits for the exit and collects it (usage, OOM, witness) once; later calls return the same. */
  wait(): Promise<ExitInfo> {
    this.waiting ??= this.waitOnce();
    return this.waiting;
  }

  private async waitOnce(): Promise<ExitInfo> {
    const done = readJson<ExitInfo>(this.paths.exit);
    if (done) return done;
    if (!this.meta.startedAt) throw new CageError("state", `container ${this.id} was never started`);
    let code = this.readExitCode();
    if (code !== null) return this.finish(code);
    const watch = new DirWatch(this.paths.dir, ["exit_code", "exit_code.tmp"]);
    try {
      code = this.readExitCode(); // again: it may have landed before the watch was in place
      let goneSince: number | undefined;
      // A live shim will write the status: the first liveness check can wait. A dead one cannot.
      const shimAlive = () => this.meta.shimPid !== undefined && isAlive(this.meta.shimPid);
      let nextCheck = code === null && shimAlive() ? Date.now() + CHECK_MS : 0;
      while (code === null) {
        if (Date.now() >= nextCheck) {
          // No status file yet: is anyone still going to write one? The shim's pid alone cannot
          // say (after a host reboot it may belong to another process), so runc is asked too.
          const alive = shimAlive();
          const st = await this.runc.state(this.id).catch(() => null);
          const running = st !== null && st.status !== "stopped";
          goneSince = running ? undefined : (goneSince ?? Date.now());
          code = this.readExitCode();
          if (code !== null) break;
          if (goneSince !== undefined && (!alive || Date.now() - goneSince > LOST_AFTER_MS)) break; // "lost"
          nextCheck = Date.now() + CHECK_MS;
        }
        await watch.next(Math.max(1, Math.min(nextCheck - Date.now(), watch.watching ? WATCH_POLL_MS : POLL_MS)));
        code = this.readExitCode();
      }
    } finally {
      watch.close();
    }
    return this.finish(code);
  }

  private async finish(code: number | null): Promise<ExitInfo> {
    this.stopFeeder();
    const info = await collectExit({ meta: this.meta, paths: this.paths, runcRoot: this.options.runcRoot, exitCode: code, killedWith: this.killedWith });
    writeJsonAtomic(this.paths.exit, info);
    return info;
  }

  async kill(signal: NodeJS.Signals | number = "SIGTERM"): Promise<void> {
    const num = typeof signal === "number" ? signal : osConstants.signals[signal];
    if (num === undefined) throw new CageError("bad_workload", `unknown signal ${signal}`);
    this.killedWith = num;
    await this.runc.kill(this.id, String(num));
  }

  /** The container's current state: runc's view, or what the files say before/after runc knows it. */
  async state(): Promise<{ status: ContainerStatus; pid?: number; runc?: RuncState; exit?: ExitInfo }> {
    const exit = readJson<ExitInfo>(this.paths.exit) ?? undefined;
    const st = await this.runc.state(this.id);
    if (exit) return { status: "exited", exit, runc: st ?? undefined };
    if (!this.meta.startedAt) return { status: "created" };
    if (!st) return { status: fs.existsSync(this.paths.exitCode) ? "stopped" : "starting" };
    return { status: st.status === "creating" ? "starting" : st.status, pid: st.pid || undefined, runc: st };
  }

  /** Live usage via `runc events --stats` (running containers only). */
  stats(): Promise<RuncStats> {
    return this.runc.stats(this.id);
  }

  /** Removes the runc container (killing it if needed) and the bundle; logs, outputs and witness stay. */
  async delete(opts: { purge?: boolean } = {}): Promise<void> {
    this.stopFeeder();
    await this.runc.delete(this.id, true);
    await fs.promises.rm(this.paths.bundle, { recursive: true, force: true });
    await fs.promises.rm(this.paths.entropyFifo, { force: true });
    if (opts.purge) {
      // The shim may still be renaming its status file into the dir (the exit is collected as
      // soon as the status is written): let it finish before the dir goes.
      const deadline = Date.now() + 2000;
      while (this.meta.shimPid !== undefined && isAlive(this.meta.shimPid) && Date.now() < deadline && fs.existsSync(`${this.paths.exitCode}.tmp`)) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await fs.promises.rm(this.paths.dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}
