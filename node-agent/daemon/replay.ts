// Replay verification: rerun the container that produced a receipt with the same image (by
// manifest digest), command, env and seed, compare the witness roots, and record the verdict in
// a `replay` receipt on a chain of its own. Usable from `enc-agent replay` (another process next
// to a running daemon: the receipt goes through the spool inbox) and from the daemon itself.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { randomBytes, toHex } from "../../protocol/bytes.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { Container } from "../cage/container.ts";
import { containerPaths } from "../cage/paths.ts";
import { cageMountpoints } from "../cage/spec.ts";
import { parseCageWorkload } from "../cage/workload.ts";
import type { ImageConfig } from "../image/manifest.ts";
import { prepareImage } from "../image/pull.ts";
import { AgentError } from "../agent-error.ts";
import { ControlPlane } from "./control-plane.ts";
import { dataDir, writeJsonAtomic } from "./data-dir.ts";
import type { Logger } from "./logger.ts";
import { loadKey, readNodeConfig } from "./node-identity.ts";
import { ReceiptChains } from "./receipt-chains.ts";
import { appendIndex, readIndex } from "./receipt-journal.ts";
import { Records } from "./records.ts";
import { resourceDelta } from "./usage-meter.ts";

export interface ReplayInput {
  dataDir: string;
  hash: string;
  timeoutS?: number;
  runcBinary?: string;
  log: Logger;
}

export interface ReplayResult {
  verdict: "match" | "mismatch";
  replay_of: string;
  app: string;
  original: { container: string; witness_root: string };
  rerun: { container: string; witness_root: string; exit_code: number | null; reason: string };
  receipt: StepReceipt;
  /** the notary has the replay receipt (else it waits in the spool inbox for the daemon) */
  delivered: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Which container a receipt belongs to, and the witness root its run ended with. */
function locate(spool: string, hash: string): { container: string; app: string; root: string } {
  let container: string | undefined;
  let app = "";
  for (const l of readIndex(spool)) if (l.h === hash) ({ c: container, a: app } = l);
  if (!container) throw new AgentError("not_found", `no receipt ${hash} was signed by this node (looked in ${spool})`);
  let root: string | undefined;
  for (const l of readIndex(spool)) if (l.c === container && (l.op === "exit" || l.op === "oom") && l.w) root = l.w;
  if (!root) throw new AgentError("replay_failed", `container ${container} has not ended yet: no witness root to compare with`);
  return { container, app, root };
}

export async function replayReceipt(input: ReplayInput): Promise<ReplayResult> {
  const d = dataDir(input.dataDir);
  const cfg = readNodeConfig(d);
  const signer = await loadKey(d);
  const original = locate(d.spool, input.hash);
  const rec = new Records(d).container(original.container);
  if (!rec?.image) throw new AgentError("replay_failed", `no record of what container ${original.container} ran`);
  const id = `replay-${input.hash.slice(7, 19)}-${toHex(randomBytes(3))}`;
  const workload = { ...rec.cage_workload };
  if (Array.isArray(workload.ports)) {
    workload.ports = await Promise.all((workload.ports as { container_port: number }[]).map(async (p) => ({ container_port: p.container_port, host_port: await freePort() })));
  }
  const cage = { dataDir: d.root, runcBinary: input.runcBinary };
  const paths = containerPaths(d.root, id);
  input.log.info("replaying", { receipt: input.hash, container: original.container, as: id });
  let c: Container | undefined;
  try {
    const shared = { mountpoints: (config: ImageConfig) => cageMountpoints(config, parseCageWorkload(workload)) };
    const image = await prepareImage(rec.image_ref, { dataDir: d.root, rootfsDir: paths.rootfs, shared });
    if (image.manifestDigest !== rec.image) {
      throw new AgentError("replay_failed", `${rec.image_ref} now resolves to ${image.manifestDigest}, not ${rec.image} as the original run`);
    }
    c = await Container.create(cage, { id, image, workload });
    await c.start();
    const timer = setTimeout(() => void c?.kill("SIGKILL").catch(() => {}), (input.timeoutS ?? 300) * 1000);
    const info = await c.wait().finally(() => clearTimeout(timer));
    const verdict = info.witness.root === original.root ? "match" : "mismatch";
    const chains = new ReceiptChains(d.chains, cfg.cluster, signer, (r) => {
      // The daemon may be running: hand the receipt over through the inbox, never its journal.
      appendIndex(d.spool, r);
      fs.mkdirSync(d.inbox, { recursive: true, mode: 0o700 });
      writeJsonAtomic(path.join(d.inbox, `${id}.json`), r);
    });
    const receipt = await chains.emit(id, original.app, (s, now) => ({
      op: "replay",
      resource: resourceDelta(s, now, { cpuNs: info.usage.cpuNs, running: false }),
      ...(info.exitCode !== null ? { exit_code: info.exitCode } : {}),
      image: rec.image!,
      seed: c!.seed,
      witness_root: info.witness.root,
      labels: { replay_of: input.hash, verdict, original_container: original.container, original_witness_root: original.root },
    }));
    let delivered = false;
    try {
      await new ControlPlane(cfg.url, cfg.cluster, signer).receipts([receipt]);
      fs.rmSync(path.join(d.inbox, `${id}.json`), { force: true });
      delivered = true;
    } catch (err) {
      input.log.warn("replay receipt not delivered yet; the agent daemon will send it", { error: (err as Error).message });
    }
    return {
      verdict, replay_of: input.hash, app: original.app, original: { container: original.container, witness_root: original.root },
      rerun: { container: id, witness_root: info.witness.root, exit_code: info.exitCode, reason: info.reason }, receipt, delivered,
    };
  } finally {
    if (c) await c.delete({ purge: true }).catch(() => {});
    else await fs.promises.rm(paths.dir, { recursive: true, force: true });
  }
}
