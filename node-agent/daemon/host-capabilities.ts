// What this host offers the scheduler, measured rather than declared: cores, memory, the disk
// under the data dir, and whether runc can run the determinism cage (root + seccomp).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { hostFeatures } from "../cage/host-features.ts";

export interface Capabilities {
  cpu_cores: number;
  memory_gb: number;
  storage_gb: number;
  supports_determinism_cage: boolean;
}

export interface RuncCheck {
  ok: boolean;
  /** why not, phrased for a human */
  reason?: string;
  version?: string;
}

const GIB = 1024 ** 3;
const round1 = (n: number) => Math.round(n * 10) / 10;

function runcVersion(bin: string): Promise<string | null> {
  return new Promise((resolve) => execFile(bin, ["--version"], { timeout: 10_000 }, (err, out) => resolve(err ? null : String(out))));
}

/** Whether the cage can run here: root, a working runc, and seccomp support in it. */
export async function checkRunc(bin = "runc"): Promise<RuncCheck> {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { ok: false, reason: "the agent needs root (runc creates namespaces and cgroups)" };
  const v = await runcVersion(bin);
  if (v === null) return { ok: false, reason: `runc not found or not working (${bin}); install it with \`sudo apt-get install runc\`` };
  const f = await hostFeatures(bin);
  if (!f.seccomp) return { ok: false, reason: `runc ${f.runcVersion} has no seccomp support` };
  return { ok: true, version: f.runcVersion };
}

export async function detectCapabilities(dataDir: string, runcBinary = "runc"): Promise<Capabilities> {
  const st = fs.statfsSync(dataDir);
  return {
    cpu_cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
    memory_gb: Math.max(0.1, round1(os.totalmem() / GIB)),
    storage_gb: round1((st.bavail * st.bsize) / GIB),
    supports_determinism_cage: (await checkRunc(runcBinary)).ok,
  };
}
