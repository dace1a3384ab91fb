// What happened to this node's replicas (pulled, started, exited, back-off, health changes), queued
// for the next heartbeat, which the node signs. Most events are read off the container receipts,
// the one place every step of a container passes; the rest come from the restart decision and
// from the health checks' verdicts. Bounded: the event stream is a convenience for people; the
// receipts stay the record. With a journal file (the daemon's), each event is appended there
// before it is queued and dropped from it once the control plane accepted it, so an agent killed
// before delivering them sends them after its restart; each carries an increasing `seq`, by which
// the control plane records one it already had (its answer was lost) only once.
import fs from "node:fs";
import { AgentEvent } from "../../protocol/api/agent.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { isoNow } from "../../protocol/time.ts";

/** Most events kept while the control plane cannot be reached; the oldest go first. */
export const MAX_QUEUED_EVENTS = 1000;
/** Most events one heartbeat carries (the wire schema's limit). */
export const EVENTS_PER_HEARTBEAT = 200;

export class EventLog {
  private queue: AgentEvent[] = [];
  private readonly health = new Map<string, boolean>();
  /** The newest seq given (kept in the journal, so seqs keep growing across restarts). */
  private seq = 0;
  private fd: number | null = null;
  /** Lines in the journal file; rewritten (compacted) when they outgrow the queue. */
  private lines = 0;

  constructor(
    private readonly onEvent: () => void = () => {},
    private readonly journal?: string,
  ) {
    if (journal) this.load(journal);
  }

  /** The journal left by the previous run: its undelivered events are queued again. */
  private load(file: string): void {
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    for (const line of text.split("\n")) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        continue; // blank, or a line torn by a crash: that event was never queued
      }
      const mark = (v as { last?: unknown }).last;
      if (typeof mark === "number") this.seq = Math.max(this.seq, mark);
      const e = AgentEvent.safeParse(v);
      if (!e.success || e.data.seq === undefined) continue;
      this.queue.push(e.data);
      this.seq = Math.max(this.seq, e.data.seq);
    }
    this.queue = this.queue.slice(-MAX_QUEUED_EVENTS);
    if (this.queue.length || text) this.rewrite();
  }

  /** Increasing, also across restarts and a lost journal (then from the clock, in µs). */
  private nextSeq(): number {
    this.seq = Math.max(this.seq + 1, Date.now() * 1000);
    return this.seq;
  }

  /** Appends one event, synced: it is queued (and may be reported) only once it is on disk. */
  private append(event: AgentEvent): void {
    this.fd ??= fs.openSync(this.journal!, "a", 0o600);
    fs.writeSync(this.fd, JSON.stringify(event) + "\n");
    fs.fdatasyncSync(this.fd);
    this.lines++;
  }

  /** The journal as the queue is now, plus the newest seq; write-then-rename, so a crash keeps one or the other. */
  private rewrite(): void {
    const file = this.journal!;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeSync(fd, [JSON.stringify({ last: this.seq }), ...this.queue.map((e) => JSON.stringify(e))].join("\n") + "\n");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    this.lines = this.queue.length + 1;
  }

  push(e: Omit<AgentEvent, "at" | "seq"> & { at?: string }): void {
    const event: AgentEvent = { at: e.at ?? isoNow(), replica: e.replica, kind: e.kind };
    if (e.container) event.container = e.container;
    if (e.reason) event.reason = e.reason.slice(0, 1000);
    event.seq = this.nextSeq();
    if (this.journal) this.journaled(() => this.append(event));
    this.queue.push(event);
    if (this.queue.length > MAX_QUEUED_EVENTS) this.queue.shift();
    if (this.journal && this.lines > 2 * MAX_QUEUED_EVENTS) this.journaled(() => this.rewrite());
    this.onEvent();
  }

  /** A receipt of one of `replica`'s containers, as an event (usage receipts are not events). */
  fromReceipt(r: StepReceipt, replica: string | undefined): void {
    if (!replica) return; // replays and other containers that belong to no replica
    const labels = (r.labels ?? {}) as Record<string, string>;
    const base = { replica, container: r.container };
    switch (r.op) {
      case "pull":
        return this.push({ ...base, kind: "pulled", reason: `${labels.ref ?? "image"} (${r.image ?? "?"})` });
      case "start":
        return this.push({ ...base, kind: "started" });
      case "stop":
        return this.push({ ...base, kind: "stopping", reason: labels.reason });
      case "kill":
        return this.push({ ...base, kind: "killed", reason: `${labels.reason ?? ""}: still running after the grace period`.replace(/^: /, "") });
      case "oom":
        return this.push({ ...base, kind: "oom_killed", reason: "out of memory" });
      case "exit": {
        if (labels.reason === "pull_failed") return this.push({ ...base, kind: "pull_failed", reason: labels.error });
        if (labels.reason === "create_failed") return this.push({ ...base, kind: "create_failed", reason: labels.error });
        const code = r.exit_code === undefined ? "" : `exit code ${r.exit_code}`;
        const why = [code, labels.reason && labels.reason !== "exited" ? labels.reason : "", labels.stopped_for ? `stopped: ${labels.stopped_for}` : "", labels.error ?? ""];
        return this.push({ ...base, kind: "exited", reason: why.filter(Boolean).join("; ") || undefined });
      }
    }
  }

  /** A replica's health verdict; a change (or the first verdict) is an event. */
  observeHealth(replica: string, healthy: boolean | undefined): void {
    if (healthy === undefined || this.health.get(replica) === healthy) return;
    this.health.set(replica, healthy);
    this.push({ replica, kind: healthy ? "healthy" : "unhealthy", reason: healthy ? "health check passes" : "health check fails" });
  }

  forget(replica: string): void {
    this.health.delete(replica);
  }

  /** The oldest events, for a heartbeat; they stay queued until ack(). */
  peek(): AgentEvent[] {
    return this.queue.slice(0, EVENTS_PER_HEARTBEAT);
  }

  /** These events (from peek()) were delivered; by identity, as the queue may have moved since. */
  ack(sent: readonly AgentEvent[]): void {
    const done = new Set(sent);
    const before = this.queue.length;
    this.queue = this.queue.filter((e) => !done.has(e));
    if (this.journal && this.queue.length !== before) this.journaled(() => this.rewrite());
  }

  /**
   * A journal write. A full or failing disk must not stop the receipt path that reports events:
   * they are then kept in memory only, as before there was a journal (the receipts stay the record).
   */
  private journaled(write: () => void): void {
    try {
      write();
    } catch {
      this.close();
    }
  }

  /** Closes the journal file (the daemon's stop). */
  close(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) fs.close(fd, () => {});
  }

  get pending(): number {
    return this.queue.length;
  }
}
