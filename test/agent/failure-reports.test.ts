// What the agent reports about failing replicas: the back-off state and its reason (kept through
// the retries until a long enough run), and the events read off receipts and decisions.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EventLog, MAX_QUEUED_EVENTS } from "../../node-agent/daemon/event-log.ts";
import { newReplicaRecord } from "../../node-agent/daemon/records.ts";
import { backoffOf, replicaReport } from "../../node-agent/daemon/replica-report.ts";
import { applyOutcome, DEFAULT_BACKOFF } from "../../node-agent/daemon/restart-policy.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";

const replica = (restart: "never" | "on-failure" | "always" = "on-failure") =>
  newReplicaRecord({ id: "w-1", workload: "w", replica_type: "primary", spec: { image: "oci:/x", restart } } as never, "h");

describe("back-off states", () => {
  it("a quick exit is CrashLoopBackOff with the exit code, doubling up to the cap, until a long run resets it", () => {
    const rec = replica();
    const now = 1_000_000;
    expect(applyOutcome(rec, "w-1.1", { exitCode: 3, reason: "exited", ranMs: 5 }, DEFAULT_BACKOFF, now)).toBe(1000);
    expect(backoffOf(rec, now)).toEqual({ state: "CrashLoopBackOff", reason: "exited 3", next_retry_at: new Date(now + 1000).toISOString(), failures: 1 });
    expect(replicaReport(rec, {}, undefined, "127.0.0.1")).toMatchObject({ status: "starting", exit_code: 3, backoff: { state: "CrashLoopBackOff" } });
    expect(applyOutcome(rec, "w-1.2", { exitCode: 3, reason: "exited", ranMs: 5 }, DEFAULT_BACKOFF, now)).toBe(2000);
    for (let i = 3; i < 12; i++) applyOutcome(rec, `w-1.${i}`, { exitCode: 3, reason: "exited", ranMs: 5 }, DEFAULT_BACKOFF, now);
    expect(rec.next_start_ms! - now).toBe(DEFAULT_BACKOFF.maxMs);
    // Tried again: still in the loop while the new container is young…
    Object.assign(rec, { phase: "running", started_ms: now });
    expect(backoffOf(rec, now + 1000)?.state).toBe("CrashLoopBackOff");
    // …and out of it once it has run long enough.
    expect(backoffOf(rec, now + DEFAULT_BACKOFF.resetAfterMs)).toBeUndefined();
    expect(applyOutcome(rec, "w-1.20", { exitCode: 1, reason: "exited", ranMs: DEFAULT_BACKOFF.resetAfterMs }, DEFAULT_BACKOFF, now)).toBe(0);
    expect(rec.loop).toBeNull();
  });

  it("a pull failure is ImagePullBackOff with the pull's error, whatever the policy; a failure under never is no loop", () => {
    const rec = replica("never");
    applyOutcome(rec, "w-1.1", { exitCode: null, reason: "pull_failed", ranMs: 0, error: "oci:/x: cannot read oci-layout: ENOENT" }, DEFAULT_BACKOFF);
    expect(backoffOf(rec)).toMatchObject({ state: "ImagePullBackOff", reason: "oci:/x: cannot read oci-layout: ENOENT" });
    const once = replica("never");
    applyOutcome(once, "w-1.1", { exitCode: 3, reason: "exited", ranMs: 5 }, DEFAULT_BACKOFF);
    expect(once.phase).toBe("failed");
    expect(backoffOf(once)).toBeUndefined();
  });
});

describe("agent events", () => {
  const receipt = (op: string, extra: Partial<StepReceipt> = {}) => ({ op, container: "w-1.1", labels: {}, ...extra }) as unknown as StepReceipt;

  it("reads receipts as events, health changes once, and keeps what was not acknowledged", () => {
    let kicks = 0;
    const log = new EventLog(() => kicks++);
    log.fromReceipt(receipt("pull", { image: "sha256:ab", labels: { ref: "oci:/x" } } as never), "w-1");
    log.fromReceipt(receipt("usage"), "w-1");
    log.fromReceipt(receipt("exit", { exit_code: 3, labels: { reason: "exited" } } as never), "w-1");
    log.fromReceipt(receipt("exit", { labels: { reason: "pull_failed", error: "digest mismatch" } } as never), "w-1");
    log.fromReceipt(receipt("start"), undefined); // a replay's container: no replica, no event
    log.observeHealth("w-1", true);
    log.observeHealth("w-1", true);
    log.observeHealth("w-1", false);
    const sent = log.peek();
    expect(sent.map((e) => [e.kind, e.reason])).toEqual([
      ["pulled", "oci:/x (sha256:ab)"],
      ["exited", "exit code 3"],
      ["pull_failed", "digest mismatch"],
      ["healthy", "health check passes"],
      ["unhealthy", "health check fails"],
    ]);
    expect(kicks).toBe(5);
    log.push({ replica: "w-1", kind: "started" });
    log.ack(sent);
    expect(log.peek().map((e) => e.kind)).toEqual(["started"]);
  });

  it("journals events until acknowledged: a new EventLog on the same file (after a crash) sends what was left, seqs keep growing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "enc-events-"));
    try {
      const file = path.join(dir, "events.jsonl");
      const a = new EventLog(() => {}, file);
      for (const kind of ["pulled", "started", "exited"]) a.push({ replica: "w-1", container: "w-1.1", kind });
      const first = a.peek();
      expect(first.map((e) => e.seq)).toEqual([...first.map((e) => e.seq)].sort((x, y) => x! - y!));
      a.ack(first.slice(0, 1));
      // Killed here: no close(). A torn half line at the end is what a crash mid-append leaves.
      fs.appendFileSync(file, '{"at":"2026-');
      const b = new EventLog(() => {}, file);
      expect(b.peek()).toEqual(first.slice(1));
      b.push({ replica: "w-1", kind: "healthy" });
      expect(b.peek().at(-1)!.seq).toBeGreaterThan(first.at(-1)!.seq!);
      b.ack(b.peek());
      expect(b.pending).toBe(0);
      const c = new EventLog(() => {}, file);
      expect(c.pending).toBe(0);
      c.push({ replica: "w-1", kind: "unhealthy" });
      // Nothing left to resend, yet the next seq is above every one given before.
      expect(c.peek()[0]!.seq).toBeGreaterThan(first.at(-1)!.seq!);
      c.close();

      // Bounded: the oldest go first, in memory and in the file.
      const d = new EventLog(() => {}, path.join(dir, "many.jsonl"));
      for (let i = 0; i < 2 * MAX_QUEUED_EVENTS + 10; i++) d.push({ replica: "w-1", kind: "started", reason: String(i) });
      d.close();
      expect(fs.readFileSync(path.join(dir, "many.jsonl"), "utf8").split("\n").filter(Boolean).length).toBeLessThanOrEqual(2 * MAX_QUEUED_EVENTS + 1);
      const e = new EventLog(() => {}, path.join(dir, "many.jsonl"));
      expect(e.pending).toBe(MAX_QUEUED_EVENTS);
      expect(e.peek()[0]!.reason).toBe(String(MAX_QUEUED_EVENTS + 10));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
