// Ships containers' stdout/stderr to the control plane from their output files. Offsets are
// per replica and stream and keep growing across container restarts (the control plane keys
// chunks by replica + offset), so each container's bytes land after its predecessor's.
// The files themselves are the spool: shipped offsets are saved, and an outage only delays.
import fs from "node:fs";
import path from "node:path";
import { toBase64 } from "../../protocol/bytes.ts";
import type { LogEntry } from "../../protocol/api/agent.ts";
import type { ControlPlane } from "./control-plane.ts";
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
  /** chunks of the batch in flight: [stream, from, to, when read (ms)] */
  sending?: [Stream, number, number, number?][];
}

interface Chunk {
  s: Source;
  stream: Stream;
  from: number;
  to: number;
  /** when the chunk was cut: the time its lines carry (`enc logs --timestamps/--since`) */
  at: number;
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

  /**
   * Sends what is new in every followed file. The control plane keys chunks by offset and keeps
   * the first copy, so a resent chunk must have exactly the boundaries of the first attempt: the
   * chunks of a batch are saved before sending ("sending") and resent as they were after a failed
   * attempt or a crash, never re-cut from a file that has grown meanwhile.
   */
  async shipOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const planned = this.plan();
      if (planned.length === 0) break;
      const entries: LogEntry[] = [];
      for (const c of planned) {
        const data = this.read(c.s, c.stream, c.from, c.to);
        if (data)
          entries.push({
            replica: c.s.replica,
            stream: c.stream,
            offset: c.s.base[c.stream] + c.from,
            data: toBase64(data),
            at: new Date(c.at).toISOString(),
            container: c.s.container,
          });
      }
      if (entries.length) await this.cp.logs(entries);
      for (const c of planned) c.s.shipped[c.stream] = Math.max(c.s.shipped[c.stream], c.to);
      for (const src of this.state.sources) delete src.sending;
      total += entries.length;
      this.save();
      if (planned.length < BATCH_ENTRIES && planned.reduce((n, c) => n + c.to - c.from, 0) < BATCH_BYTES) break;
    }
    const before = this.state.sources.length;
    this.state.sources = this.state.sources.filter((x) => !(x.final && STREAMS.every((st) => x.shipped[st] >= x.final![st])));
    if (before !== this.state.sources.length) this.save();
    return total;
  }

  /** The next batch: the one already promised (sending), else fresh chunks, saved before use. */
  private plan(): Chunk[] {
    const promised = this.state.sources.flatMap((s) => (s.sending ?? []).map(([stream, from, to, at]) => ({ s, stream, from, to, at: at ?? Date.now() })));
    if (promised.length) return promised;
    const out: Chunk[] = [];
    let bytes = 0;
    const now = Date.now();
    for (const s of this.state.sources) {
      for (const stream of STREAMS) {
        const file = path.join(s.dir, stream);
        const end = s.final ? s.final[stream] : size(file);
        for (let at = s.shipped[stream]; at < end && bytes < BATCH_BYTES && out.length < BATCH_ENTRIES; ) {
          const to = Math.min(end, at + CHUNK);
          out.push({ s, stream, from: at, to, at: now });
          bytes += to - at;
          at = to;
        }
      }
    }
    for (const c of out) (c.s.sending ??= []).push([c.stream, c.from, c.to, c.at]);
    if (out.length) this.save();
    return out;
  }

  private read(s: Source, stream: Stream, from: number, to: number): Buffer | null {
    const file = path.join(s.dir, stream);
    let fd: number;
    try {
      fd = fs.openSync(file, "r");
    } catch {
      return null; // purged before it could be shipped: nothing left to send
    }
    try {
      const buf = Buffer.alloc(to - from);
      const got = fs.readSync(fd, buf, 0, buf.length, from);
      return got > 0 ? buf.subarray(0, got) : null;
    } finally {
      fs.closeSync(fd);
    }
  }
}
