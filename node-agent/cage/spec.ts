// The OCI runtime spec (config.json) of a cage. See CAGE.md for what each choice buys.
import type { ImageConfig } from "../image/manifest.ts";
import { buildMounts, MASKED_PATHS, READONLY_PATHS, rootfsMountpoints, type Mount } from "./mounts.ts";
import { resolveArgs, resolveCwd, resolveEnv, resolveHostname } from "./process.ts";
import { buildResources, type LinuxResources } from "./resources.ts";
import { buildSeccomp, type SeccompProfile } from "./seccomp.ts";
import type { ResolvedUser } from "./user.ts";
import { effectiveNetwork, isDeterministic, type CageWorkload } from "./workload.ts";

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
  linux: {
    namespaces: { type: string }[];
    cgroupsPath: string;
    resources: LinuxResources;
    seccomp: SeccompProfile;
    maskedPaths: string[];
    readonlyPaths: string[];
    rootfsPropagation: "rprivate";
  };
}

export interface SpecInput {
  id: string;
  image: { manifestDigest: string; config: ImageConfig; rootfs: string };
  workload: CageWorkload;
  user: ResolvedUser;
  cgroupsPath: string;
  /** host dir bound at cage.output_dir */
  outputHostDir?: string;
  /** FIFO for /dev/urandom (deterministic cages) */
  entropyFifo?: string;
  seedCommitment?: string;
  /** runc on this host can create cgroup namespaces (runc features) */
  cgroupNamespace?: boolean;
}

export function buildRuntimeSpec(input: SpecInput): RuntimeSpec {
  const w = input.workload;
  const deterministic = isDeterministic(w);
  const namespaces = ["pid", "ipc", "uts", "mount"].map((type) => ({ type }));
  if (input.cgroupNamespace !== false) namespaces.push({ type: "cgroup" });
  if (effectiveNetwork(w) === "none") namespaces.push({ type: "network" }); // own, empty (loopback only)
  const outDir = w.cage?.output_dir;
  const annotations: Record<string, string> = { "org.enc.image": input.image.manifestDigest, "org.enc.determinism": String(deterministic) };
  if (input.seedCommitment) annotations["org.enc.seed"] = input.seedCommitment;
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: input.user,
      args: resolveArgs(input.image.config, w),
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
      entropyFifo: deterministic ? input.entropyFifo : undefined,
    }),
    annotations,
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources: buildResources(w),
      seccomp: buildSeccomp({ determinism: deterministic }),
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
    entropyFifo: isDeterministic(w) ? "urandom.fifo" : undefined,
  });
  return rootfsMountpoints(mounts, resolveCwd(config));
}

/** The directories runc would create in the root filesystem of `spec` if they were missing. */
export function specMountpoints(spec: Pick<RuntimeSpec, "mounts" | "process">): string[] {
  return rootfsMountpoints(spec.mounts, spec.process.cwd);
}
