// Creating a container = writing its bundle and its meta. Nothing runs and runc knows nothing yet.
import fs from "node:fs";
import path from "node:path";
import { CageError } from "./errors.ts";
import { hostFeatures } from "./host-features.ts";
import { nowIso, writeJsonAtomic, type CageMeta } from "./meta.ts";
import type { ResolvedCageOptions } from "./options.ts";
import { containerPaths } from "./paths.ts";
import { resolveArgs } from "./process.ts";
import { deriveSeed, seedCommitment } from "./seed.ts";
import { buildRuntimeSpec, specMountpoints, wantsInit } from "./spec.ts";
import { canDisableAslr } from "./shim.ts";
import { claimSpareDir } from "./spare-dirs.ts";
import { resolveUser } from "./user.ts";
import { effectiveNetwork, isDeterministic, parseCageWorkload } from "./workload.ts";
import type { ImageConfig } from "../image/manifest.ts";
import { hostId, letRangeReach, nodeIdRange } from "../image/id-range.ts";
import { fenceHostLocal } from "./loopback-fence.ts";
import { missingDirs } from "../image/rootfs-cache.ts";
import { isShiftedFor } from "../image/rootfs-shift.ts";

export interface CreateInput {
  id: string;
  /**
   * from prepareImage(): the rootfs is used in place (best at containerPaths(dataDir, id).rootfs,
   * or the image's shared tree under <dataDir>/rootfs/, which is never written to or deleted)
   */
  image: { manifestDigest: string; config: ImageConfig; rootfs: string };
  /** the Workload's command/env/resources/cage/ports (validated here) */
  workload: unknown;
  /** bytes fed to the container's stdin (and witnessed); none = /dev/null */
  stdin?: Uint8Array;
}

/**
 * A directory holding only a copy of the host's init binary (bound into the cage read-only), or
 * undefined when the host has none: the container then runs without an init, which its meta records.
 */
export function initDir(o: ResolvedCageOptions): string | undefined {
  if (!fs.existsSync(o.initBinary)) return undefined;
  const dir = path.join(o.dataDir, "init");
  const target = path.join(dir, "tini");
  const src = fs.statSync(o.initBinary);
  const have = fs.existsSync(target) ? fs.statSync(target) : null;
  if (!have || have.size !== src.size || have.mtimeMs < src.mtimeMs) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const tmp = `${target}.${process.pid}.tmp`;
    fs.copyFileSync(o.initBinary, tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, target);
  }
  return dir;
}

function isShared(dataDir: string, rootfs: string): boolean {
  return path.resolve(rootfs).startsWith(path.join(dataDir, "rootfs") + path.sep);
}

export async function writeBundle(o: ResolvedCageOptions, input: CreateInput): Promise<CageMeta> {
  const w = parseCageWorkload(input.workload);
  const paths = containerPaths(o.dataDir, input.id);
  if (fs.existsSync(paths.meta)) throw new CageError("exists", `container ${input.id} already exists`);
  if (!fs.existsSync(input.image.rootfs)) throw new CageError("bad_workload", `rootfs ${input.image.rootfs} does not exist`);
  const features = await hostFeatures(o.runcBinary);
  if (!features.seccomp) throw new CageError("unsupported", `runc ${features.runcVersion} has no seccomp support: refusing to run without the cage`);
  claimSpareDir(o.dataDir, paths.dir);
  fs.mkdirSync(paths.bundle, { recursive: true, mode: 0o700 });
  fs.mkdirSync(o.runcRoot, { recursive: true, mode: 0o700 });

  const idRange = nodeIdRange(o.dataDir);
  if (effectiveNetwork(w) === "host") await fenceHostLocal(idRange);
  // Image root must be the namespace's root: a tree the host's root owns would be nobody's inside.
  if (!isShiftedFor(input.image.rootfs, idRange)) throw new CageError("state", `rootfs ${input.image.rootfs} is not shifted into this node's id range (prepareImage does that)`);
  const user = resolveUser(input.image.rootfs, input.image.config.User);
  const args = resolveArgs(input.image.config, w);
  const deterministic = isDeterministic(w);
  const seed = deterministic ? deriveSeed({ image: input.image.manifestDigest, command: args, env: w.env ?? {}, seed: w.cage?.seed }) : undefined;
  const commitment = seed ? seedCommitment(seed) : undefined;
  if (w.cage?.output_dir) {
    fs.mkdirSync(paths.out, { recursive: true, mode: 0o755 });
    fs.chownSync(paths.out, hostId(idRange, user.uid), hostId(idRange, user.gid)); // the workload's user must be able to write its outputs
  }
  if (input.stdin) fs.writeFileSync(paths.stdin, input.stdin, { mode: 0o600 });

  const initHostDir = wantsInit(w) ? initDir(o) : undefined;
  if (initHostDir) letRangeReach(o.dataDir, initHostDir, idRange);
  const spec = buildRuntimeSpec({
    id: input.id,
    image: input.image,
    workload: w,
    user,
    idRange,
    cgroupsPath: `${o.cgroupParent}/${input.id}`,
    outputHostDir: w.cage?.output_dir ? paths.out : undefined,
    entropyFifo: deterministic ? paths.entropyFifo : undefined,
    seedCommitment: commitment,
    mountBinary: ["/bin/mount", "/usr/bin/mount"].find((m) => fs.existsSync(m)),
    cgroupNamespace: features.cgroupNamespace,
    initHostDir,
  });
  if (isShared(o.dataDir, input.image.rootfs)) {
    // runc would create a missing mount point inside the root before making it read-only: in a
    // shared tree that would leak into every other container of the image.
    const missing = missingDirs(input.image.rootfs, specMountpoints(spec));
    if (missing === null || missing.length > 0) {
      throw new CageError("state", `shared rootfs ${input.image.rootfs} lacks the mount points ${missing?.join(", ") ?? "(a path component is not a directory)"}`);
    }
  }
  if (!isShared(o.dataDir, input.image.rootfs)) letRangeReach(o.dataDir, input.image.rootfs, idRange);
  if (deterministic) letRangeReach(o.dataDir, paths.entropyFifo, idRange); // the hooks bind it from inside the namespace
  writeJsonAtomic(paths.config, spec);
  const meta: CageMeta = {
    v: 1,
    id: input.id,
    createdAt: nowIso(),
    image: input.image.manifestDigest,
    args,
    determinism: deterministic,
    network: effectiveNetwork(w),
    seed: commitment,
    seedHex: seed ? Buffer.from(seed).toString("hex") : undefined,
    outputDir: w.cage?.output_dir,
    hasStdin: input.stdin !== undefined,
    timeNamespace: false, // see CAGE.md: the cage does not offset clocks (runc 1.1 has no time namespaces)
    aslr: !(deterministic && canDisableAslr()),
    init: initHostDir ? "tini" : wantsInit(w) ? `none: ${o.initBinary} is absent on this host` : "off",
  };
  writeJsonAtomic(paths.meta, meta);
  return meta;
}
