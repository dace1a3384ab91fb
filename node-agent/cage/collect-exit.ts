// Turning a finished container into an ExitInfo: exit status from the shim's file, usage and OOM
// kills from the kept cgroups, then the witness. Run once; the result is persisted as exit.json.
import fs from "node:fs";
import { recordWitness } from "../witness/recorder.ts";
import { cgroupPaths, readFinalUsage } from "./cgroup-usage.ts";
import { nowIso, type CageMeta, type ExitInfo, type ExitReason } from "./meta.ts";
import type { ContainerPaths } from "./paths.ts";

export interface CollectInput {
  meta: CageMeta;
  paths: ContainerPaths;
  runcRoot: string;
  /** null when the status is unknown (the shim vanished) */
  exitCode: number | null;
  /** the signal the agent sent, if it killed the container */
  killedWith?: number;
}

function runcError(paths: ContainerPaths): string | undefined {
  const text = fs.existsSync(paths.runcLog) ? fs.readFileSync(paths.runcLog, "utf8") : "";
  const errors = text.split("\n").filter(Boolean).map((l) => {
    try {
      return JSON.parse(l) as { level?: string; msg?: string };
    } catch {
      return { level: "error", msg: l };
    }
  }).filter((e) => e.level === "error" || e.level === "fatal");
  return errors.at(-1)?.msg;
}

export async function collectExit(input: CollectInput): Promise<ExitInfo> {
  const { meta, paths, exitCode } = input;
  const usage = readFinalUsage(cgroupPaths(input.runcRoot, meta.id));
  const started = fs.existsSync(paths.pid);
  let reason: ExitReason;
  if (exitCode === null) reason = "lost";
  else if (!started && exitCode !== 0) reason = "failed_to_start";
  else if (usage.oomKills > 0) reason = "oom";
  else if (input.killedWith !== undefined && exitCode === 128 + input.killedWith) reason = "killed";
  else reason = "exited";
  const witness = await recordWitness(
    {
      streams: { stdin: meta.hasStdin ? paths.stdin : undefined, stdout: paths.stdout, stderr: paths.stderr },
      output: meta.outputDir ? { hostDir: paths.out, containerDir: meta.outputDir } : undefined,
    },
    paths.witnessLog,
    paths.witnessRoot,
  );
  const info: ExitInfo = { exitCode, reason, finishedAt: nowIso(), usage, witness };
  if (reason === "failed_to_start") info.error = runcError(paths);
  if (meta.determinism) info.determinismIntact = !meta.adoptedWhileRunning && reason !== "lost";
  return info;
}
