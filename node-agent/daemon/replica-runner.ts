// One replica on this node, driven towards its desired spec by a loop of its own: launch,
// watch (usage receipts, exit), apply the restart policy with back-off, stop on removal or a
// spec change. Everything decided is saved in the replica record first, so an agent that dies
// at any point picks up where it was (see resume()).
import type { Container } from "../cage/container.ts";
import { containerHash } from "../../protocol/replica-identity.ts";
import type { AgentContext } from "./agent-context.ts";
import { forwardsPorts, wantsHostPorts } from "./cage-workload.ts";
import { PortForwarder } from "./port-forward.ts";
import { launchContainer } from "./container-launch.ts";
import { recordExit, stopGracefully } from "./container-exit.ts";
import { whenExited } from "./exit-watch.ts";
import type { DesiredReplica } from "../../protocol/desired-state.ts";
import { HealthChecker } from "./health-check.ts";
import { newReplicaRecord, type ReplicaRecord } from "./records.ts";
import { replicaReport, reportDecision, updateSample, type Sample } from "./replica-report.ts";
import { resumeContainer } from "./replica-resume.ts";
import { applyOutcome, backoffDelay, type Outcome } from "./restart-policy.ts";
import { resourceDelta } from "./usage-meter.ts";
import { Wakeup } from "./wakeup.ts";
import { purgeOldContainers } from "./container-gc.ts";

/**
 * Only what reaches the container: a new replica count, autoscaling bounds or a sibling's
 * change must not restart this replica (see protocol/replica-identity.ts).
 */
export const specHash = (d: DesiredReplica): string => containerHash(d.spec);

/** The control plane's order to stop a replica of a removed workload (`enc rm`), if any. */
const stopOrder = (d: DesiredReplica): { grace_s?: number } | null => {
  const s = (d as { stop?: unknown }).stop;
  if (!s || typeof s !== "object") return null;
  const g = (s as { grace_s?: unknown }).grace_s;
  return typeof g === "number" && g >= 0 && g <= 3600 ? { grace_s: g } : {};
};

export class ReplicaRunner {
  rec: ReplicaRecord;
  private container: Container | null = null;
  private health: HealthChecker | null = null;
  /** serves the host ports of a network "none" container while it runs */
  private forwarder: Promise<PortForwarder | null> | null = null;
  private desired: DesiredReplica | null;
  private readonly wakeup = new Wakeup();
  private lastUsageMs = 0;
  readonly sample: Sample = {};
  finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: AgentContext,
    desired: DesiredReplica,
    existing?: ReplicaRecord,
  ) {
    this.desired = desired;
    this.rec = existing ?? newReplicaRecord(desired, specHash(desired));
    if (!existing) ctx.records.saveReplica(this.rec);
  }

  get id(): string {
    return this.rec.id;
  }

  update(d: DesiredReplica): void {
    this.desired = d;
    this.wakeup.wake();
  }

  remove(): void {
    this.desired = null;
    this.wakeup.wake();
  }

  start(signal: AbortSignal): void {
    this.finished = this.loop(signal).catch((err) => this.ctx.log.error("replica loop failed", { replica: this.id, error: (err as Error).stack ?? String(err) }));
  }

  private save(): void {
    this.ctx.records.saveReplica(this.rec);
    this.ctx.changed();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    await this.resume();
    while (!signal.aborted) {
      if (this.container && this.rec.stop_reason) {
        await this.stop(this.rec.stop_reason);
      } else if (this.desired === null) {
        return this.retire();
      } else if (stopOrder(this.desired)) {
        // Its workload was removed: stop with the grace asked for, then wait to be dropped.
        const grace = stopOrder(this.desired)!.grace_s;
        if (this.container) await this.stop("removed", grace === undefined ? undefined : grace * 1000);
        else if (this.rec.phase !== "exited" && this.rec.phase !== "failed") {
          Object.assign(this.rec, { phase: "exited", reason: "removed", next_start_ms: null });
          this.save();
        } else await this.wakeup.wait(3_600_000, signal);
      } else if (specHash(this.desired) !== containerHash(this.rec.spec)) {
        if (this.container) await this.stop("spec changed");
        this.applySpec(this.desired);
      } else if (JSON.stringify(this.desired.spec) !== JSON.stringify(this.rec.spec) || this.desired.replica_type !== this.rec.replica_type) {
        // The same container, other surroundings (restart policy, replica count, a promotion):
        // taken over in place, the container keeps running.
        Object.assign(this.rec, { spec: this.desired.spec, spec_hash: specHash(this.desired), replica_type: this.desired.replica_type });
        this.save();
      } else if (this.container) {
        await this.watch(this.container, signal);
      } else if (this.rec.phase === "exited" || this.rec.phase === "failed") {
        await this.wakeup.wait(3_600_000, signal);
      } else if ((this.rec.next_start_ms ?? 0) > Date.now()) {
        this.rec.phase = "backoff";
        await this.wakeup.wait(this.rec.next_start_ms! - Date.now(), signal);
      } else {
        await this.launch();
      }
    }
    this.health?.close(); // the agent stops; the container (if any) keeps running
    await this.closeForwarder(); // the next agent forwards again when it adopts the container
  }

  private applySpec(d: DesiredReplica): void {
    // The old spec's containers become history; the replica's restarts go on counting (its
    // container is re-created, the replica stays: `enc ps` RESTARTS must not fall back to 0).
    const old = this.rec;
    const history = old.container && !old.history.includes(old.container) ? [...old.history, old.container] : old.history;
    this.rec = { ...newReplicaRecord(d, specHash(d)), history, ports: old.ports, restarts: old.restarts + (old.container ? 1 : 0) };
    if (!wantsHostPorts(d.spec)) {
      this.ctx.ports.release(old.ports.map((p) => p.host_port));
      this.rec.ports = [];
    }
    this.save();
  }

  private async launch(): Promise<void> {
    const spec = this.rec.spec;
    if (wantsHostPorts(spec) && !(await this.hostPorts(spec))) return;
    const previous = this.rec.container;
    if (previous) {
      if (!this.rec.history.includes(previous)) this.rec.history.push(previous);
      this.rec.restarts++;
    }
    this.rec.container = this.ctx.newContainerId(this.rec.id);
    Object.assign(this.rec, { phase: "starting", next_start_ms: null, stop_reason: null, exit_code: null, reason: null });
    this.save();
    const res = await launchContainer(this.ctx, this.rec);
    if (!res.ok) return this.decide(this.rec.container, res.outcome);
    this.attach(res.container, Date.now());
  }

  /**
   * The replica's host ports, kept across its containers while still free; one taken meanwhile (by
   * another process or agent) is replaced and said so. No free port at all fails the replica with
   * that reason and a retry after back-off, instead of a container that exits on bind.
   */
  private async hostPorts(spec: DesiredReplica["spec"]): Promise<boolean> {
    let kept = this.rec.ports.length === spec.ports.length ? this.rec.ports : [];
    for (const p of kept) {
      const why = await this.ctx.ports.unusable(p.host_port);
      if (!why) continue;
      this.ctx.log.warn(`${why}; the replica gets a new one`, { replica: this.id });
      this.ctx.ports.release(kept.map((k) => k.host_port));
      kept = [];
      break;
    }
    if (kept.length) return true;
    try {
      const got = await this.ctx.ports.allocate(spec.ports.length);
      this.rec.ports = spec.ports.map((p, i) => ({ container_port: p.container_port, host_port: got[i]! }));
      return true;
    } catch (err) {
      const reason = (err as Error).message;
      this.ctx.log.error("replica cannot start", { replica: this.id, reason });
      const delay = backoffDelay(this.rec.crashes++, this.ctx.backoff);
      Object.assign(this.rec, { phase: "backoff", reason, next_start_ms: Date.now() + delay });
      this.save();
      return false;
    }
  }

  private attach(c: Container, startedMs: number): void {
    this.container = c;
    this.lastUsageMs = Date.now();
    Object.assign(this.rec, { phase: "running", started_ms: startedMs });
    this.save();
    this.ctx.shipper.follow(this.rec.id, c.id, c.paths.dir);
    if (forwardsPorts(this.rec.spec) && this.rec.ports.length) this.forwarder = this.forward(c, this.rec.ports);
    const hc = this.rec.spec.health_check;
    if (hc && (hc.http_path !== undefined || hc.command?.length)) {
      this.health = new HealthChecker(hc, { port: this.rec.ports[0]?.host_port, container: c.id, runc: c.runc }, this.ctx.log);
      this.health.start();
    }
  }

  /** Starts forwarding once the container's init has a pid (its network namespace exists). */
  private async forward(c: Container, ports: ReplicaRecord["ports"]): Promise<PortForwarder | null> {
    try {
      const { pid } = await c.state();
      if (!pid) throw new Error("the container has no running process");
      return await PortForwarder.start(pid, ports, this.ctx.log, c.id);
    } catch (err) {
      this.ctx.log.error("cannot serve the replica's ports", { replica: this.id, container: c.id, error: (err as Error).message });
      return null;
    }
  }

  private async closeForwarder(): Promise<void> {
    const f = this.forwarder;
    this.forwarder = null;
    await (await f)?.close();
  }

  /** Waits for the exit, sending a usage receipt every usage period; returns early when woken. */
  private async watch(c: Container, signal: AbortSignal): Promise<void> {
    const due = this.lastUsageMs + this.ctx.usageMs - Date.now();
    // Whichever comes first ends the other: no stale waiter may eat the next wake-up, and no exit
    // watch may outlive the agent.
    const giveUp = new AbortController();
    const both = AbortSignal.any([signal, giveUp.signal]);
    const exit = whenExited(c, both).then((info) => info && { info });
    const woke = this.wakeup.wait(due, both).then(() => null);
    const r = await Promise.race([exit, woke]);
    giveUp.abort();
    if (r) return this.finish(c, await recordExit(this.ctx, this.rec, c, r.info, this.sample.memoryBytes));
    if (signal.aborted || Date.now() < this.lastUsageMs + this.ctx.usageMs) return;
    this.lastUsageMs = Date.now();
    const stats = await c.stats().catch(() => null);
    if (!stats) return; // exiting right now: the exit receipt will carry the usage
    this.sample.memoryBytes = stats.memoryBytes;
    await this.ctx.chains.emit(c.id, this.rec.workload, (s, now) => ({
      op: "usage",
      resource: resourceDelta(s, now, { cpuNs: stats.cpuNs, memoryBytes: stats.memoryBytes, storageGb: this.rec.spec.resources.storage_gb, running: true }),
      labels: { pids: String(stats.pids) },
    }));
  }

  private async stop(reason: string, graceMs?: number): Promise<void> {
    const c = this.container!;
    Object.assign(this.rec, { stop_reason: reason, phase: "stopping" });
    this.save();
    const info = await stopGracefully(this.ctx, this.rec, c, reason, graceMs);
    await this.finish(c, await recordExit(this.ctx, this.rec, c, info, this.sample.memoryBytes));
  }

  private async finish(c: Container, outcome: Outcome): Promise<void> {
    this.health?.close();
    this.health = null;
    await this.closeForwarder();
    this.container = null;
    this.decide(c.id, outcome);
    await purgeOldContainers(this.ctx, this.rec);
  }

  /** The restart decision for a container's end, made once per container. */
  private decide(id: string, o: Outcome): void {
    if (this.rec.handled === id) return;
    const delay = applyOutcome(this.rec, id, o, this.ctx.backoff);
    if (delay !== null) this.ctx.log.info("restarting after back-off", { replica: this.id, container: id, delay_ms: delay, exit_code: o.exitCode, reason: o.reason });
    reportDecision(this.ctx.events, this.rec, id, delay);
    this.save();
  }

  /** Picks up the replica's newest container after an agent restart. */
  private async resume(): Promise<void> {
    const r = await resumeContainer(this.ctx, this.rec);
    if (r.kind === "abandoned") {
      // Launched again as the same start: no restart is counted and the id is not kept.
      Object.assign(this.rec, { container: null, phase: "pending", next_start_ms: null, reason: "abandoned" });
      this.save();
    } else if (r.kind === "adopted") {
      this.attach(r.container, r.startedMs);
    }
  }

  /** The replica is no longer wanted here: stop it, forget it. */
  private async retire(): Promise<void> {
    if (this.container) await this.stop("removed");
    this.health?.close();
    await this.closeForwarder();
    await purgeOldContainers(this.ctx, this.rec, true);
    this.ctx.ports.release(this.rec.ports.map((p) => p.host_port));
    this.ctx.records.deleteReplica(this.id);
    this.ctx.shipper.forgetReplica(this.id);
    this.ctx.log.info("replica removed", { replica: this.id });
  }

  /** Live usage for the heartbeat (CPU share, memory). */
  async refreshSample(): Promise<void> {
    if (!this.container || this.rec.phase !== "running") return;
    const stats = await this.container.stats().catch(() => null);
    if (stats) updateSample(this.sample, stats, this.rec.spec.resources.cpu_millis, Date.now());
  }

  report(advertisedHost: string) {
    return replicaReport(this.rec, this.sample, this.health?.healthy, advertisedHost);
  }
}
