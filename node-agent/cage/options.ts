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
}

export interface ResolvedCageOptions {
  dataDir: string;
  runcBinary: string;
  runcRoot: string;
  cgroupParent: string;
}

export function resolveCageOptions(o: CageOptions): ResolvedCageOptions {
  const dataDir = path.resolve(o.dataDir);
  return { dataDir, runcBinary: o.runcBinary ?? "runc", runcRoot: runcRoot(dataDir), cgroupParent: o.cgroupParent ?? "enc" };
}
