// The end of a container: stopping it on purpose (stop → grace → kill, each receipted) and
// recording how it ended (`exit`, or `oom`, with exit code and witness root) exactly once, even
// when the exit is collected by an agent that restarted in between.
import type { KnownOp } from "../../protocol/schemas.ts";
import type { Container } from "../cage/container.ts";
import type { ExitInfo } from "../cage/meta.ts";
import type { AgentContext } from "./agent-context.ts";
import type { ReplicaRecord } from "./records.ts";
import type { Outcome } from "./restart-policy.ts";
import { resourceDelta } from "./usage-meter.ts";
import { sleep } from "./wakeup.ts";

/** Writes the terminal receipt unless the chain already has one; returns the outcome. */
export async function recordExit(ctx: AgentContext, rec: ReplicaRecord, c: Container, info: ExitInfo, memoryBytes?: number): Promise<Outcome> {
  const chain = ctx.chains.state(c.id);
  if (!chain?.closed) {
    const labels: Record<string, string> = { reason: info.reason };
    if (info.error) labels.error = info.error.slice(0, 500);
    if (info.determinismIntact === false) labels.determinism_intact = "false";
    if (rec.stop_reason) labels.stopped_for = rec.stop_reason;
    await ctx.chains.emit(c.id, rec.workload, (s, now) => ({
      op: info.reason === "oom" ? "oom" : "exit",
      resource: resourceDelta(s, now, { cpuNs: info.usage.cpuNs, memoryBytes: memoryBytes ?? info.usage.memoryMaxBytes, storageGb: rec.spec.resources.storage_gb, running: true }),
      ...(info.exitCode !== null ? { exit_code: info.exitCode } : {}),
      witness_root: info.witness.root,
      image: c.meta.image,
      seed: c.seed,
      labels,
    }));
    ctx.log.info("container exited", { replica: rec.id, container: c.id, exit_code: info.exitCode, reason: info.reason });
  }
  ctx.shipper.finish(c.id);
  await c.delete().catch((err) => ctx.log.warn("runc delete failed", { container: c.id, error: (err as Error).message }));
  const ranMs = rec.started_ms ? Math.max(0, Date.parse(info.finishedAt) - rec.started_ms) : 0;
  return { exitCode: info.exitCode, reason: info.reason, ranMs, ...(info.error ? { error: info.error.slice(0, 500) } : {}) };
}

/** SIGTERM, then SIGKILL after the grace period; resolves with the collected exit. */
export async function stopGracefully(ctx: AgentContext, rec: ReplicaRecord, c: Container, reason: string, graceMs = ctx.stopGraceMs): Promise<ExitInfo> {
  const emit = (op: KnownOp, signal: string) => ctx.chains.emit(c.id, rec.workload, () => ({ op, labels: { reason, signal } }));
  const exited = c.wait().then(() => true);
  const st = ctx.chains.state(c.id);
  if (!st?.closed && st?.last_op !== "stop" && st?.last_op !== "kill") await emit("stop", "SIGTERM");
  ctx.log.info("stopping container", { replica: rec.id, container: c.id, reason });
  await c.kill("SIGTERM").catch(() => {}); // already gone: waiting tells how it ended
  const inTime = graceMs > 0 && (await Promise.race([exited, sleep(graceMs).then(() => false)]));
  if (!inTime && !ctx.chains.state(c.id)?.closed) {
    if (ctx.chains.state(c.id)?.last_op !== "kill") await emit("kill", "SIGKILL");
    await c.kill("SIGKILL").catch(() => {});
  }
  return c.wait();
}
