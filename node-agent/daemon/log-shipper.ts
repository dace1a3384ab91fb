// Ships containers' stdout/stderr to the control plane from their output files. Offsets are
// per replica and stream and keep growing across container restarts (the control plane keys
// chunks by replica + offset), so each container's bytes land after its predecessor's.
// The files themselves are the spool: shipped offsets are saved, and an outage only delays.
import fs from "node:fs";
import path from "node:path";
import { toBase64 } from "../../protocol/bytes.ts";
import type { ControlPlane, LogEntry } from "./control-plane.ts";
import { readJsonFile, writeJsonAtomic } from "./data-dir.ts";
import type { Logger } from "./logger.ts";
import { Wakeup } from "./wakeup.ts";

type Stream = "stdout" | "stderr";
const STREAMS: Stream[] = ["stdout", "stderr"];
const CHUNK = 48 * 1024;
const BATCH_BYTES = 512 * 1024;
const BATCH_ENTRIES = 200;

interface Source {
  replica: string;
  container: string;
  /** the container dir holding the stdout and stderr files */
  dir: string;
  base: Record<Stream, number>;
  shipped: Record<Stream, number>;
  /** final sizes, once the container has exited */
  final: Record<Stream, number> | null;
}

interface ShipperState {
  sources: Source[];
  /** where the next container of each replica starts counting */
  next: Record<string, Record<Stream, number>>;
}

const size = (f: string) => {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
};

export class LogShipper {
  private state: ShipperState;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly file: string,
    private readonly cp: ControlPlane,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {
    this.state = readJsonFile<ShipperState>(file) ?? { sources: [], next: {} };
  }

  private save(): void {
    writeJsonAtomic(this.file, this.state);
  }

  /** Starts following a container's output (idempotent). */
  follow(replica: string, container: string, dir: string): void {
    if (this.state.sources.some((s) => s.container === container)) return;
    const base = this.state.next[replica] ?? { stdout: 0, stderr: 0 };
    this.state.sources.push({ replica, container, dir, base, shipped: { stdout: 0, stderr: 0 }, final: null });
    this.save();
  }

  /** The container exited: its files are final; the next container continues after them. */
  finish(container: string): void {
    const s = this.state.sources.find((x) => x.container === container);
    if (!s || s.final) return;
    s.final = { stdout: size(path.join(s.dir, "stdout")), stderr: size(path.join(s.dir, "stderr")) };
    this.state.next[s.replica] = { stdout: s.base.stdout + s.final.stdout, stderr: s.base.stderr + s.final.stderr };
    this.save();
    this.wakeup.wake();
  }

  /** Whether everything a container wrote has been shipped (its files may then be purged). */
  done(container: string): boolean {
    return !this.state.sources.some((s) => s.container === container);
  }

  forgetReplica(replica: string): void {
    delete this.state.next[replica];
    this.save();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.wakeup.wait(this.intervalMs, signal);
      if (signal.aborted) break;
      await this.shipOnce().catch((err) => this.log.debug("logs not shipped yet", { error: (err as Error).message }));
    }
  }

  /** Sends what is new in every followed file; throws (keeping offsets) if the control plane refuses. */
  async shipOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const entries: LogEntry[] = [];
      const moves: { s: Source; stream: Stream; to: number }[] = [];
      let bytes = 0;
      for (const s of this.state.sources) {
        for (const stream of STREAMS) {
          const file = path.join(s.dir, stream);
          const end = s.final ? s.final[stream] : size(file);
          if (!fs.existsSync(file)) {
            if (s.final) moves.push({ s, stream, to: end }); // purged before it could be shipped: nothing left to send
            continue;
          }
          let at = moves.findLast((m) => m.s === s && m.stream === stream)?.to ?? s.shipped[stream];
          while (at < end && bytes < BATCH_BYTES && entries.length < BATCH_ENTRIES) {
            const len = Math.min(CHUNK, end - at);
            const buf = Buffer.alloc(len);
            const fd = fs.openSync(file, "r");
            const got = (() => {
              try {
                return fs.readSync(fd, buf, 0, len, at);
              } finally {
                fs.closeSync(fd);
              }
            })();
            if (got <= 0) break;
            entries.push({ replica: s.replica, stream, offset: s.base[stream] + at, data: toBase64(buf.subarray(0, got)) });
            at += got;
            bytes += got;
            moves.push({ s, stream, to: at });
          }
        }
      }
      if (entries.length) {
        await this.cp.logs(entries);
        for (const m of moves) m.s.shipped[m.stream] = Math.max(m.s.shipped[m.stream], m.to);
        total += entries.length;
      }
      const before = this.state.sources.length;
      this.state.sources = this.state.sources.filter((s) => !(s.final && STREAMS.every((st) => s.shipped[st] >= s.final![st])));
      if (entries.length || before !== this.state.sources.length) this.save();
      if (bytes < BATCH_BYTES && entries.length < BATCH_ENTRIES) return total;
    }
  }
}
