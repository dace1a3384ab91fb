// Final accounting of a stopped container, read from its cgroups before `runc delete` removes
// them (the shim runs `runc run --keep` for exactly this). `runc events --stats` refuses stopped
// containers, hence the direct reads. cgroup v1 and v2 layouts are both understood.
import fs from "node:fs";
import path from "node:path";

export interface FinalUsage {
  cpuNs: number;
  memoryMaxBytes: number;
  oomKills: number;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function keyed(text: string | undefined, key: string): number | undefined {
  const m = text?.match(new RegExp(`^${key} (\\d+)$`, "m"));
  return m ? Number(m[1]) : undefined;
}

/** Cgroup directories runc recorded for the container (controller → path; "" is the v2/unified one). */
export function cgroupPaths(runcRoot: string, id: string): Record<string, string> {
  const text = read(path.join(runcRoot, id, "state.json"));
  if (!text) return {};
  return ((JSON.parse(text) as { cgroup_paths?: Record<string, string> }).cgroup_paths ?? {}) as Record<string, string>;
}

export function readFinalUsage(paths: Record<string, string>): FinalUsage {
  const mem = paths.memory;
  const cpuacct = paths.cpuacct;
  const unified = paths[""];
  const v1 = mem !== undefined;
  if (v1) {
    return {
      cpuNs: Number(read(path.join(cpuacct ?? "", "cpuacct.usage"))?.trim() ?? 0) || 0,
      memoryMaxBytes: Number(read(path.join(mem, "memory.max_usage_in_bytes"))?.trim() ?? 0) || 0,
      oomKills: keyed(read(path.join(mem, "memory.oom_control")), "oom_kill") ?? 0,
    };
  }
  if (!unified) return { cpuNs: 0, memoryMaxBytes: 0, oomKills: 0 };
  return {
    cpuNs: (keyed(read(path.join(unified, "cpu.stat")), "usage_usec") ?? 0) * 1000,
    memoryMaxBytes: Number(read(path.join(unified, "memory.peak"))?.trim() ?? 0) || 0,
    oomKills: keyed(read(path.join(unified, "memory.events")), "oom_kill") ?? 0,
  };
}
