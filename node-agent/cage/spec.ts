// The OCI runtime spec (config.json) of a cage. See CAGE.md for what each choice buys.
import type { IdRange } from "../image/id-range.ts";
import type { ImageConfig } from "../image/manifest.ts";
import { buildMounts, MASKED_PATHS, READONLY_PATHS, rootfsMountpoints, type Mount } from "./mounts.ts";
import { resolveArgs, resolveCwd, resolveEnv, resolveHostname } from "./process.ts";
import { buildResources, type LinuxResources } from "./resources.ts";
import { buildSeccomp, type SeccompProfile } from "./seccomp.ts";
import type { ResolvedUser } from "./user.ts";
import { effectiveNetwork, isDeterministic, type CageWorkload } from "./workload.ts";
import { INIT_DIR_IN_CAGE } from "./options.ts";

export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: false;
    user: ResolvedUser;
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<"bounding" | "effective" | "inheritable" | "permitted" | "ambient", string[]>;
    noNewPrivileges: true;
  };
  root: { path: string; readonly: true };
  hostname: string;
  mounts: Mount[];
  annotations: Record<string, string>;
  hooks?: { createContainer: Hook[] };
  linux: {
    namespaces: { type: string }[];
    uidMappings: IdMapping[];
    gidMappings: IdMapping[];
    cgroupsPath: string;
    resources: LinuxResources;
    seccomp: SeccompProfile;
    maskedPaths: string[];
    readonlyPaths: string[];
    rootfsPropagation: "rprivate";
  };
}

export interface Hook {
  path: string;
  args: string[];
}

/**
 * Binds the seeded FIFO over /dev/urandom and /dev/random. Not as spec mounts: in a user
 * namespace runc bind-mounts the host's devices over those paths after the mounts, which would
 * replace the stream. createContainer hooks run in the container's mount namespace after that,
 * before pivot_root, where the rootfs is still at its host path.
 */
export function entropyHooks(rootfs: string, fifo: string, mountBinary = "/bin/mount"): Hook[] {
  return ["/dev/urandom", "/dev/random"].map((dev) => ({ path: mountBinary, args: ["mount", "-n", "--bind", fifo, `${rootfs}${dev}`] }));
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface SpecInput {
  id: string;
  image: { manifestDigest: string; config: ImageConfig; rootfs: string };
  workload: CageWorkload;
  user: ResolvedUser;
  /** the node's host id range: container ids 0..size-1 are host ids base.. (always a user namespace) */
  idRange: IdRange;
  cgroupsPath: string;
  /** host dir bound at cage.output_dir */
  outputHostDir?: string;
  /** FIFO for /dev/urandom (deterministic cages) */
  entropyFifo?: string;
  seedCommitment?: string;
  /** host mount(8) run by the entropy hooks */
  mountBinary?: string;
  /** runc on this host can create cgroup namespaces (runc features) */
  cgroupNamespace?: boolean;
  /** host dir with the init binary (`tini`): it runs as PID 1 and execs the workload's command */
  initHostDir?: string;
}

/** Whether a workload's cage gets the init: asked for, and never in a deterministic cage (its witness stays the command's own). */
export const wantsInit = (w: CageWorkload): boolean => w.init === true && !isDeterministic(w);

export function buildRuntimeSpec(input: SpecInput): RuntimeSpec {
  const w = input.workload;
  const deterministic = isDeterministic(w);
  const network = effectiveNetwork(w);
  // A user namespace always: container root is an unprivileged id of the node's range on the host.
  const namespaces = ["pid", "ipc", "uts", "mount", "user"].map((type) => ({ type }));
  if (input.cgroupNamespace !== false) namespaces.push({ type: "cgroup" });
  if (network === "none") namespaces.push({ type: "network" }); // own, empty (loopback only)
  const mapping: IdMapping[] = [{ containerID: 0, hostID: input.idRange.base, size: input.idRange.size }];
  const outDir = w.cage?.output_dir;
  const annotations: Record<string, string> = { "org.enc.image": input.image.manifestDigest, "org.enc.determinism": String(deterministic) };
  if (input.seedCommitment) annotations["org.enc.seed"] = input.seedCommitment;
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: input.user,
      // tini forwards SIGTERM to the command (a PID 1 without handlers would ignore it) and reaps zombies.
      args: input.initHostDir ? [`${INIT_DIR_IN_CAGE}/tini`, "--", ...resolveArgs(input.image.config, w)] : resolveArgs(input.image.config, w),
      env: resolveEnv(input.image.config, w),
      cwd: resolveCwd(input.image.config),
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      noNewPrivileges: true,
      // No rlimits: runc would have to raise them, which needs CAP_SYS_RESOURCE; the cage inherits the agent's.
    },
    root: { path: input.image.rootfs, readonly: true },
    hostname: resolveHostname(input.id, w),
    mounts: buildMounts({
      output: outDir && input.outputHostDir ? { hostDir: input.outputHostDir, containerDir: outDir } : undefined,
      hostNetwork: network === "host",
      init: input.initHostDir ? { hostDir: input.initHostDir, containerDir: INIT_DIR_IN_CAGE } : undefined,
    }),
    annotations,
    ...(deterministic && input.entropyFifo ? { hooks: { createContainer: entropyHooks(input.image.rootfs, input.entropyFifo, input.mountBinary) } } : {}),
    linux: {
      namespaces,
      uidMappings: mapping,
      gidMappings: mapping,
      cgroupsPath: input.cgroupsPath,
      resources: buildResources(w),
      seccomp: buildSeccomp({ determinism: deterministic, hostNetwork: network === "host" }),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      rootfsPropagation: "rprivate",
    },
  };
}

/**
 * Directories a cage for `w` needs in the image's root filesystem (mount points and working
 * directory): what a shared, read-only rootfs must already contain so that runc never writes
 * into it. The same mounts buildRuntimeSpec lays out; only destinations matter here.
 */
export function cageMountpoints(config: ImageConfig, w: CageWorkload): string[] {
  const outDir = w.cage?.output_dir;
  const mounts = buildMounts({
    output: outDir ? { hostDir: "", containerDir: outDir } : undefined,
    init: wantsInit(w) ? { hostDir: "", containerDir: INIT_DIR_IN_CAGE } : undefined,
  });
  return rootfsMountpoints(mounts, resolveCwd(config));
}

/** The directories runc would create in the root filesystem of `spec` if they were missing. */
export function specMountpoints(spec: Pick<RuntimeSpec, "mounts" | "process">): string[] {
  return rootfsMountpoints(spec.mounts, spec.process.cwd);
}
