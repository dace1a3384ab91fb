// Resource deltas of a receipt: what the container used since the previous receipt of its chain,
// so that summing a chain gives the total (PROTOCOL.md). CPU comes from the cgroup counter,
// memory is the sampled usage times the seconds elapsed, storage the reserved GB times days.
import type { ChainState, ReceiptInput } from "./receipt-chains.ts";

export interface UsageSample {
  /** cumulative CPU time of the container, ns (cgroup) */
  cpuNs?: number;
  /** current (or, at exit, peak) memory, bytes */
  memoryBytes?: number;
  /** the replica's reserved storage */
  storageGb?: number;
  /** false before start: nothing accrues while the container does not run */
  running: boolean;
}

const MB = 1024 * 1024;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function resourceDelta(s: ChainState, now: number, sample: UsageSample): NonNullable<ReceiptInput["resource"]> {
  const seconds = s.last_ms === null ? 0 : Math.max(0, now - s.last_ms) / 1000;
  const cpuTotalMs = sample.cpuNs === undefined ? s.cpu_ms : Math.floor(sample.cpuNs / 1e6);
  return {
    cpu_ms: Math.max(0, cpuTotalMs - s.cpu_ms),
    memory_mb_s: sample.running ? round3(((sample.memoryBytes ?? 0) / MB) * seconds) : 0,
    storage_gb_day: sample.running ? round3(((sample.storageGb ?? 0) * seconds) / 86_400) : 0,
    egress_mb: 0,
  };
}
