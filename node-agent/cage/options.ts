// Agent-wide settings of the cage runner.
import path from "node:path";
import { runcRoot } from "./paths.ts";

export interface CageOptions {
  /** agent data dir: containers/<id>/, runc/ (runc --root), layers/ */
  dataDir: string;
  runcBinary?: string;
  /**
   * cgroup parent for containers, relative to the agent's own cgroup in each hierarchy (so a
   * container never escapes limits placed on the agent) unless absolute. Default "enc".
   */
  cgroupParent?: string;
  /** the static init bind-mounted as PID 1 for workloads with `init` (Debian's tini-static) */
  initBinary?: string;
}

export const DEFAULT_INIT_BINARY = "/usr/bin/tini-static";
/** Where the init appears in the container: a directory of its own, so a read-only rootfs needs only it. */
export const INIT_DIR_IN_CAGE = "/.enc-init";

export interface ResolvedCageOptions {
  dataDir: string;
  runcBinary: string;
  runcRoot: string;
  cgroupParent: string;
  initBinary: string;
}

export function resolveCageOptions(o: CageOptions): ResolvedCageOptions {
  const dataDir = path.resolve(o.dataDir);
  return { dataDir, runcBinary: o.runcBinary ?? "runc", runcRoot: runcRoot(dataDir), cgroupParent: o.cgroupParent ?? "enc", initBinary: o.initBinary ?? DEFAULT_INIT_BINARY };
}
