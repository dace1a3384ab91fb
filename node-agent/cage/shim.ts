// The process that outlives the agent. Node cannot become a child subreaper, so a container
// started with `runc create`/`start` would be reparented away from the agent and its exit status
// lost. Instead a detached /bin/sh (own session, stdio = the container's log files) runs
// `runc run --keep` in the foreground, which reaps the container, and writes its exit status to
// a file by rename. The agent may die and restart at any point: the status file, the log files and
// the kept cgroups (read for final usage before `runc delete`) are all it needs to pick up again.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContainerPaths } from "./paths.ts";

// $1 = exit status file; the rest is the command to run.
const SCRIPT = ['code_file="$1"', "shift", '"$@"', "code=$?", 'echo "$code" > "$code_file.tmp" && mv -f "$code_file.tmp" "$code_file"'].join("\n");

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = path.join(dir, bin);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export interface ShimInput {
  runcBinary: string;
  runcRoot: string;
  id: string;
  paths: ContainerPaths;
  /** file the container reads as stdin; /dev/null when absent */
  stdinFile?: string;
  /**
   * Run runc under `setarch -R` (personality ADDR_NO_RANDOMIZE), which runc init and the
   * container process inherit: fixed memory layout for deterministic cages.
   */
  noAslr?: boolean;
}

/** Whether the shim can disable ASLR on this host (util-linux setarch present). */
export function canDisableAslr(): boolean {
  return onPath("setarch") !== undefined;
}

/** Starts the shim and returns its pid. The container's stdout/stderr go straight to files. */
export function spawnShim(input: ShimInput): number {
  const { paths } = input;
  const stdin = fs.openSync(input.stdinFile ?? "/dev/null", "r");
  const stdout = fs.openSync(paths.stdout, "a", 0o600);
  const stderr = fs.openSync(paths.stderr, "a", 0o600);
  try {
    const setarch = input.noAslr ? onPath("setarch") : undefined;
    const prefix = setarch ? [setarch, os.machine(), "-R"] : [];
    const runc = [input.runcBinary, "--root", input.runcRoot, "--log", paths.runcLog, "--log-format", "json", "run", "--keep", "--bundle", paths.bundle, "--pid-file", paths.pid, input.id];
    const child = spawn("/bin/sh", ["-c", SCRIPT, "enc-shim", paths.exitCode, ...prefix, ...runc], {
      detached: true,
      stdio: [stdin, stdout, stderr],
      cwd: paths.dir,
      env: { PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    });
    child.unref();
    if (child.pid === undefined) throw new Error("spawn /bin/sh failed");
    fs.writeFileSync(paths.shimPid, String(child.pid));
    return child.pid;
  } finally {
    for (const fd of [stdin, stdout, stderr]) fs.closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
