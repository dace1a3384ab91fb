// What the agent fixed about a container when it created it, persisted next to the bundle so a
// restarted agent can adopt the container with the same facts.
import fs from "node:fs";
import { CageError } from "./errors.ts";
import type { FinalUsage } from "./cgroup-usage.ts";
import type { WitnessSummary } from "../witness/recorder.ts";

export interface CageMeta {
  v: 1;
  id: string;
  createdAt: string;
  /** image manifest digest */
  image: string;
  args: string[];
  determinism: boolean;
  network: "none" | "host";
  /** "blake3:…" commitment to the RNG seed (deterministic cages) */
  seed?: string;
  /** the seed itself, hex: needed to resume feeding /dev/urandom after an agent restart */
  seedHex?: string;
  outputDir?: string;
  hasStdin: boolean;
  timeNamespace: boolean;
  /** false when the container runs with address-space randomization off (deterministic cages) */
  aslr: boolean;
  /** "tini" (PID 1 is the init), "off", or "none: …" when asked for but absent on the host */
  init?: string;
  startedAt?: string;
  shimPid?: number;
  /** a restarted agent re-attached while it ran: the entropy stream may have skipped or repeated */
  adoptedWhileRunning?: boolean;
}

export type ExitReason = "exited" | "oom" | "killed" | "lost" | "failed_to_start";

export interface ExitInfo {
  /** the container's exit status (128+n after signal n, as a shell reports it); null if unknown */
  exitCode: number | null;
  reason: ExitReason;
  /** `runc run`'s own error when the container never started */
  error?: string;
  finishedAt: string;
  usage: FinalUsage;
  witness: WitnessSummary;
  /** for deterministic cages: false when nothing can vouch the run was reproducible (adoption mid-run) */
  determinismIntact?: boolean;
}

export const nowIso = (): string => new Date().toISOString();

export function writeJsonAtomic(file: string, value: unknown): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 1) + "\n");
  fs.renameSync(`${file}.tmp`, file);
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CageError("state", `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}
