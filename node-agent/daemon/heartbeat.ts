// The periodic heartbeat: node usage and every replica's state. Its answer carries the
// control plane's desired-state version; a newer one than ours kicks the poller. A heartbeat
// that gets through after failures also tells the receipt sender the way is clear again.
import type { HeartbeatBodyInput } from "../../protocol/api/agent.ts";
import { ApiError } from "../../protocol/api-client.ts";
import type { ControlPlane } from "./control-plane.ts";
import type { EventLog } from "./event-log.ts";
import type { Logger } from "./logger.ts";
import type { ReplicaRunner } from "./replica-runner.ts";
import { sleep } from "./wakeup.ts";

export interface HeartbeatDeps {
  cp: ControlPlane;
  log: Logger;
  runners: () => ReplicaRunner[];
  /** replicas in the desired state this agent cannot run */
  invalid: () => { id: string; reason: string }[];
  /** consensus placement: replicas refused for want of a validator quorum (reported pending, with why) */
  unapproved?: () => { id: string; reason: string }[];
  /** what this node offers (enc-agent run --capacity-*), signed with each heartbeat */
  capacity?: { cpu_millis: number; memory_mb: number };
  desiredVersion: () => number;
  replays: () => NonNullable<HeartbeatBodyInput["replays"]>;
  /** events to report; those delivered are acknowledged */
  events?: EventLog;
  onNewerVersion: () => void;
  onRecovered: () => void;
  advertisedHost: string;
  intervalMs: number;
}

export async function buildHeartbeat(d: HeartbeatDeps): Promise<HeartbeatBodyInput> {
  const runners = d.runners();
  await Promise.all(runners.map((r) => r.refreshSample()));
  const usage = { cpu_millis: 0, memory_mb: 0, storage_gb: 0, connections: 0 };
  for (const r of runners) {
    if (r.rec.phase !== "running") continue;
    usage.cpu_millis += r.sample.cpuMillis ?? 0;
    usage.memory_mb += (r.sample.memoryBytes ?? 0) / (1024 * 1024);
    usage.storage_gb += r.rec.spec.resources.storage_gb;
  }
  usage.memory_mb = Math.round(usage.memory_mb * 10) / 10;
  const containers = runners.map((r) => r.report(d.advertisedHost));
  for (const c of containers) d.events?.observeHealth(c.replica, c.healthy);
  for (const bad of d.invalid()) containers.push({ replica: bad.id, status: "failed", restarts: 0, reason: `cannot run: ${bad.reason}`.slice(0, 1000) });
  for (const u of d.unapproved?.() ?? []) containers.push({ replica: u.id, status: "pending", restarts: 0, reason: `refused by this node: ${u.reason}`.slice(0, 1000) });
  const body: HeartbeatBodyInput = { usage, containers };
  if (d.capacity) body.capacity = d.capacity;
  const replays = d.replays();
  if (replays.length) body.replays = replays;
  if (d.desiredVersion() >= 0) body.desired_version = d.desiredVersion();
  const events = d.events?.peek() ?? [];
  if (events.length) body.events = events;
  return body;
}

export async function heartbeatLoop(d: HeartbeatDeps, signal: AbortSignal, kick: { wait(ms: number, s: AbortSignal): Promise<boolean> }): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const body = await buildHeartbeat(d);
      const res = await d.cp.heartbeat(body);
      if (body.events) d.events?.ack(body.events);
      if (failures) {
        d.log.info("heartbeat delivered again", { after_failures: failures });
        d.onRecovered();
      }
      failures = 0;
      if (res.desired_version > d.desiredVersion()) d.onNewerVersion();
    } catch (err) {
      if (signal.aborted) break;
      // Events the control plane refuses as malformed would refuse every later heartbeat too.
      if (err instanceof ApiError && (err.status === 400 || err.status === 422) && d.events?.pending) {
        d.log.warn("heartbeat refused; dropping its events", { error: err.message });
        d.events.ack(d.events.peek());
      }
      if (++failures === 1 || failures % 12 === 0) d.log.warn("heartbeat failed", { error: (err as Error).message, failures });
    }
    // A kick (a replica changed state) sends the next heartbeat early, but not more than 4 a second.
    await kick.wait(d.intervalMs, signal);
    await sleep(250, signal);
  }
}
