// Thin wrapper over the runc CLI for everything but starting (see shim.ts): state, list, kill,
// delete, and one-shot stats via `runc events --stats`.
import { execFile } from "node:child_process";
import { CageError } from "./errors.ts";

export type RuncStatus = "creating" | "created" | "running" | "paused" | "stopped";

export interface RuncState {
  id: string;
  pid: number;
  status: RuncStatus;
  bundle: string;
  created: string;
  annotations?: Record<string, string>;
}

export interface RuncStats {
  /** cumulative CPU time, ns */
  cpuNs: number;
  memoryBytes: number;
  memoryMaxBytes: number;
  memoryLimitBytes: number;
  memoryFailcnt: number;
  pids: number;
}

interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Runc {
  constructor(
    readonly root: string,
    readonly binary = "runc",
  ) {}

  exec(args: string[], timeoutMs = 30_000): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, ["--root", this.root, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(new CageError("runc", `runc ${args[0]}: ${err.message}`, { cause: err }));
        resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
      });
    });
  }

  private async ok(args: string[]): Promise<string> {
    const r = await this.exec(args);
    if (r.code !== 0) {
      const msg = r.stderr.trim() || r.stdout.trim();
      if (/does not exist|not found/i.test(msg)) throw new CageError("not_found", `runc ${args.join(" ")}: ${msg}`);
      throw new CageError("runc", `runc ${args.join(" ")}: exit ${r.code}: ${msg}`);
    }
    return r.stdout;
  }

  /** The container's state, or null when runc does not know it. */
  async state(id: string): Promise<RuncState | null> {
    try {
      return JSON.parse(await this.ok(["state", id])) as RuncState;
    } catch (err) {
      if (err instanceof CageError && err.code === "not_found") return null;
      throw err;
    }
  }

  async list(): Promise<RuncState[]> {
    const out = await this.ok(["list", "--format", "json"]);
    return (JSON.parse(out || "null") as RuncState[] | null) ?? [];
  }

  async kill(id: string, signal = "SIGTERM", all = false): Promise<void> {
    await this.ok(["kill", ...(all ? ["--all"] : []), id, signal]);
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await this.ok(["delete", ...(force ? ["--force"] : []), id]);
    } catch (err) {
      if (!(err instanceof CageError && err.code === "not_found")) throw err;
    }
  }

  async stats(id: string): Promise<RuncStats> {
    const out = await this.ok(["events", "--stats", id]);
    const data = (JSON.parse(out) as { data?: Record<string, any> }).data ?? {};
    return {
      cpuNs: Number(data.cpu?.usage?.total ?? 0),
      memoryBytes: Number(data.memory?.usage?.usage ?? 0),
      memoryMaxBytes: Number(data.memory?.usage?.max ?? 0),
      memoryLimitBytes: Number(data.memory?.usage?.limit ?? 0),
      memoryFailcnt: Number(data.memory?.usage?.failcnt ?? 0),
      pids: Number(data.pids?.current ?? 0),
    };
  }
}
