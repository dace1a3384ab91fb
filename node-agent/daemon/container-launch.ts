// Starting one container of a replica, each step receipted on the container's own chain:
// pull (image = manifest digest) → create (seed commitment) → start. A step that fails ends the
// chain with an `exit` receipt naming why, so the chain never dangles.
import fs from "node:fs";
import { Container } from "../cage/container.ts";
import { containerPaths } from "../cage/paths.ts";
import { cageMountpoints } from "../cage/spec.ts";
import { parseCageWorkload } from "../cage/workload.ts";
import type { ImageConfig } from "../image/manifest.ts";
import { prepareImage, type PreparedImage } from "../image/pull.ts";
import type { AgentContext } from "./agent-context.ts";
import { cageWorkload } from "./cage-workload.ts";
import type { ReplicaRecord } from "./records.ts";
import type { Outcome } from "./restart-policy.ts";

export type LaunchResult = { ok: true; container: Container } | { ok: false; outcome: Outcome };

const short = (s: string) => (s.length > 500 ? s.slice(0, 500) + "…" : s);

/** `rec.container` must already name the new container id (saved before anything happens). */
export async function launchContainer(ctx: AgentContext, rec: ReplicaRecord): Promise<LaunchResult> {
  const id = rec.container!;
  const spec = rec.spec;
  const paths = containerPaths(ctx.dir.root, id);
  const workload = cageWorkload(spec, rec.ports);
  ctx.records.saveContainer({
    v: 1, id, replica: rec.id, workload: rec.workload, image_ref: spec.image, image: null,
    cage_workload: workload, storage_gb: spec.resources.storage_gb, created_at: new Date().toISOString(),
  });
  const emit = (build: Parameters<AgentContext["chains"]["emit"]>[2]) => ctx.chains.emit(id, rec.workload, build);
  const fail = async (reason: string, err: unknown): Promise<LaunchResult> => {
    const error = short((err as Error).message ?? String(err));
    ctx.log.error(`container ${reason.replace("_", " ")}`, { replica: rec.id, container: id, error });
    await emit(() => ({ op: "exit", labels: { reason, error } }));
    await fs.promises.rm(paths.dir, { recursive: true, force: true });
    return { ok: false, outcome: { exitCode: null, reason, ranMs: 0, error } };
  };

  // Receipts are signed and journaled while the next step runs: the chain lock keeps their order,
  // and everything is on disk before launchContainer returns.
  const receipts: Promise<unknown>[] = [];
  const t0 = Date.now();
  let image: PreparedImage;
  try {
    // The image's shared read-only rootfs when it can serve this cage (no per-container copy).
    const shared = { mountpoints: (config: ImageConfig) => cageMountpoints(config, parseCageWorkload(workload)) };
    image = await prepareImage(spec.image, { dataDir: ctx.dir.root, rootfsDir: paths.rootfs, shared });
  } catch (err) {
    return fail("pull_failed", err);
  }
  const t1 = Date.now();
  receipts.push(emit(() => ({ op: "pull", image: image.manifestDigest, labels: { ref: spec.image } })));
  ctx.records.saveContainer({ ...ctx.records.container(id)!, image: image.manifestDigest });

  let container: Container;
  try {
    container = await Container.create(ctx.cage, { id, image, workload });
  } catch (err) {
    await Promise.all(receipts);
    return fail("create_failed", err);
  }
  const t2 = Date.now();
  // Whether PID 1 is the init is part of what was created: recorded where an auditor looks.
  receipts.push(emit(() => ({ op: "create", image: image.manifestDigest, seed: container.seed, labels: { replica: rec.id, init: container.meta.init ?? "off" } })));
  try {
    await container.start(); // a runc failure still starts the shim, which reports failed_to_start on exit
  } catch (err) {
    // Started too slowly to tell: make sure it is gone; waiting then reports how it ended.
    ctx.log.error("container did not start in time; killing it", { replica: rec.id, container: id, error: (err as Error).message });
    await container.kill("SIGKILL").catch(() => {});
  }
  const t3 = Date.now();
  receipts.push(emit(() => ({ op: "start", image: image.manifestDigest, seed: container.seed })));
  await Promise.all(receipts);
  ctx.log.info("container started", { replica: rec.id, container: id, image: image.manifestDigest, pull_ms: t1 - t0, create_ms: t2 - t1, start_ms: t3 - t2 });
  return { ok: true, container };
}
