// Runs the real `enc` binary as a subprocess, the way users do, with a clean environment.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "bin/enc.mjs");

export interface EncResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Only what the CLI should see: no ENC_* or NO_COLOR leaking in from the developer's shell. */
export function encEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), ...extra };
}

export function enc(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<EncResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Parses --json stdout, failing with the whole output so a broken run is easy to read. */
export function json<T = Record<string, any>>(r: EncResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}
