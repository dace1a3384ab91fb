// What a restarted agent finds of a replica's newest container, and how it picks it up: a launch
// cut short before its bundle existed is closed ("abandoned") and redone; a created or running
// container is adopted, with the create/start receipts it may have missed written now.
import type { KnownOp } from "../../protocol/schemas.ts";
import fs from "node:fs";
import { Container } from "../cage/container.ts";
import { containerPaths } from "../cage/paths.ts";
import type { AgentContext } from "./agent-context.ts";
import type { ReplicaRecord } from "./records.ts";

export type Resumed = { kind: "nothing" } | { kind: "abandoned" } | { kind: "adopted"; container: Container; startedMs: number };

export async function resumeContainer(ctx: AgentContext, rec: ReplicaRecord): Promise<Resumed> {
  const id = rec.container;
  if (!id || rec.handled === id) return { kind: "nothing" };
  const paths = containerPaths(ctx.dir.root, id);
  const chain = ctx.chains.state(id);
  if (!fs.existsSync(paths.meta)) {
    if (chain && !chain.closed) await ctx.chains.emit(id, rec.workload, () => ({ op: "exit", labels: { reason: "abandoned" } }));
    await fs.promises.rm(paths.dir, { recursive: true, force: true });
    return { kind: "abandoned" };
  }
  const c = await Container.adopt(ctx.cage, id);
  if (!c.meta.startedAt) await c.start();
  const emit = (op: KnownOp) => ctx.chains.emit(id, rec.workload, () => ({ op, image: c.meta.image, seed: c.seed }));
  if (chain?.last_op === "pull") await emit("create");
  if (chain?.last_op === "pull" || chain?.last_op === "create") await emit("start");
  ctx.log.info("adopted container", { replica: rec.id, container: id });
  return { kind: "adopted", container: c, startedMs: rec.started_ms ?? Date.parse(c.meta.startedAt ?? new Date().toISOString()) };
}
