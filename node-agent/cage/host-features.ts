// What this host's runc can do, from `runc features` (runc ≥ 1.1). Asked once per binary.
import { execFile } from "node:child_process";

export interface HostFeatures {
  namespaces: string[];
  seccomp: boolean;
  runcVersion: string;
  /** time namespaces (runc ≥ 1.2): without them the cage cannot offset CLOCK_MONOTONIC/BOOTTIME */
  timeNamespace: boolean;
  cgroupNamespace: boolean;
}

const cache = new Map<string, Promise<HostFeatures>>();

function sh(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve) => execFile(bin, args, { timeout: 10_000 }, (_err, stdout) => resolve(stdout ?? "")));
}

async function probe(bin: string): Promise<HostFeatures> {
  const [features, version] = await Promise.all([sh(bin, ["features"]), sh(bin, ["--version"])]);
  let parsed: { linux?: { namespaces?: string[]; seccomp?: { enabled?: boolean } } } = {};
  try {
    parsed = JSON.parse(features);
  } catch {
    // runc < 1.1 has no `features`: assume the namespaces every runc has had, and no time namespace.
    parsed = { linux: { namespaces: ["ipc", "mount", "network", "pid", "uts", "user"], seccomp: { enabled: true } } };
  }
  const namespaces = parsed.linux?.namespaces ?? [];
  return {
    namespaces,
    seccomp: parsed.linux?.seccomp?.enabled ?? false,
    runcVersion: /runc version (\S+)/.exec(version)?.[1] ?? "unknown",
    timeNamespace: namespaces.includes("time"),
    cgroupNamespace: namespaces.includes("cgroup"),
  };
}

export function hostFeatures(bin = "runc"): Promise<HostFeatures> {
  let p = cache.get(bin);
  if (!p) cache.set(bin, (p = probe(bin)));
  return p;
}
