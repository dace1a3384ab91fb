// cgroup limits from the workload's resources; deterministic cages are pinned to CPU 0.
import type { CageWorkload } from "./workload.ts";

export const CPU_PERIOD_US = 100_000;
export const DEFAULT_PIDS = 1024;

export interface LinuxResources {
  devices: { allow: boolean; access: string }[];
  memory?: { limit: number; swap: number };
  cpu?: { quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

export function buildResources(w: CageWorkload): LinuxResources {
  const r: LinuxResources = { devices: [{ allow: false, access: "rwm" }] }; // runc adds its default device allowlist
  const res = w.resources ?? {};
  if (res.memory_mb !== undefined) {
    const bytes = res.memory_mb * 1024 * 1024;
    r.memory = { limit: bytes, swap: bytes }; // swap is memory+swap: equal means no swap
  }
  if (res.cpu_millis !== undefined) r.cpu = { quota: Math.round((res.cpu_millis * CPU_PERIOD_US) / 1000), period: CPU_PERIOD_US };
  if (w.cage?.determinism) r.cpu = { ...r.cpu, cpus: "0" };
  // A fork bomb must not exhaust the node even when the workload names no limit.
  r.pids = { limit: res.pids ?? DEFAULT_PIDS };
  return r;
}
