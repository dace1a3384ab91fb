// Exited containers stay on disk for a while (stdout/stderr, witness, outputs): the newest few per
// replica, and any whose output has not reached the control plane yet. The rest are purged; the
// small container records stay, since replay needs only them and the image.
import fs from "node:fs";
import { Container } from "../cage/container.ts";
import { listContainers } from "../cage/list.ts";
import { containerPaths } from "../cage/paths.ts";
import { KEEP_EXITED, type AgentContext } from "./agent-context.ts";
import type { ReplicaRecord } from "./records.ts";

async function purge(ctx: AgentContext, id: string): Promise<boolean> {
  if (!ctx.shipper.done(id)) return false;
  if (!fs.existsSync(containerPaths(ctx.dir.root, id).meta)) {
    await fs.promises.rm(containerPaths(ctx.dir.root, id).dir, { recursive: true, force: true });
    return true;
  }
  const c = await Container.adopt(ctx.cage, id);
  await c.delete({ purge: true });
  return true;
}

/** Purges a replica's exited containers beyond the newest few (all of them when `all`). */
export async function purgeOldContainers(ctx: AgentContext, rec: ReplicaRecord, all = false): Promise<void> {
  const keep = all ? 0 : KEEP_EXITED;
  const exited = rec.container && rec.handled === rec.container ? [...rec.history, rec.container] : [...rec.history];
  const old = exited.slice(0, Math.max(0, exited.length - keep));
  for (const id of old) {
    const gone = await purge(ctx, id).catch((err) => {
      ctx.log.warn("could not purge container", { container: id, error: (err as Error).message });
      return false;
    });
    if (gone) rec.history = rec.history.filter((h) => h !== id);
  }
  if (!all) ctx.records.saveReplica(rec);
}

/**
 * Containers on disk that no replica claims (their replica went away while the agent was down,
 * or a removal was cut short): stop any that still run, close their receipt chains, and purge
 * them once their output has been shipped. Replay containers belong to `enc-agent replay`.
 */
export async function sweepOrphans(ctx: AgentContext, claimed: Set<string>): Promise<void> {
  for (const { id, runc } of await listContainers(ctx.cage)) {
    if (claimed.has(id) || id.startsWith("replay-")) continue;
    try {
      const c = await Container.adopt(ctx.cage, id);
      if (c.meta.startedAt) {
        if (runc && runc.status !== "stopped") {
          ctx.log.warn("stopping a container no replica claims", { container: id });
          await c.kill("SIGKILL").catch(() => {});
        }
        const info = await c.wait();
        const chain = ctx.chains.state(id);
        if (chain && !chain.closed) {
          await ctx.chains.emit(id, chain.app, () => ({
            op: info.reason === "oom" ? "oom" : "exit",
            ...(info.exitCode !== null ? { exit_code: info.exitCode } : {}),
            witness_root: info.witness.root,
            image: c.meta.image,
            seed: c.seed,
            labels: { reason: info.reason, stopped_for: "orphaned" },
          }));
        }
        ctx.shipper.finish(id);
      } else {
        const chain = ctx.chains.state(id);
        if (chain && !chain.closed) await ctx.chains.emit(id, chain.app, () => ({ op: "exit", labels: { reason: "abandoned" } }));
      }
      await purge(ctx, id);
    } catch (err) {
      ctx.log.warn("could not clean up an unclaimed container", { container: id, error: (err as Error).message });
    }
  }
}
