// What happened to this node's replicas (pulled, started, exited, back-off, health changes), queued
// for the next heartbeat, which the node signs. Most events are read off the container receipts,
// the one place every step of a container passes; the rest come from the restart decision and
// from the health checks' verdicts. In memory and bounded: the event stream is a convenience for
// people; the receipts stay the record.
import type { AgentEvent } from "../../protocol/api/agent.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { isoNow } from "../../protocol/time.ts";

/** Most events kept while the control plane cannot be reached; the oldest go first. */
export const MAX_QUEUED_EVENTS = 1000;
/** Most events one heartbeat carries (the wire schema's limit). */
export const EVENTS_PER_HEARTBEAT = 200;

export class EventLog {
  private queue: AgentEvent[] = [];
  private readonly health = new Map<string, boolean>();

  constructor(private readonly onEvent: () => void = () => {}) {}

  push(e: Omit<AgentEvent, "at"> & { at?: string }): void {
    const event: AgentEvent = { at: e.at ?? isoNow(), replica: e.replica, kind: e.kind };
    if (e.container) event.container = e.container;
    if (e.reason) event.reason = e.reason.slice(0, 1000);
    this.queue.push(event);
    if (this.queue.length > MAX_QUEUED_EVENTS) this.queue.shift();
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
    this.queue = this.queue.filter((e) => !done.has(e));
  }

  get pending(): number {
    return this.queue.length;
  }
}
