// Runs the real `enc`, with a clean environment: as a subprocess, the way users do (`encBinary`),
// or as the built CLI's main() in this process (`enc`), which is what bin/enc.mjs runs after
// Node starts. A test of the command line itself (exit codes on the process, help, completion,
// signals, stdin) uses the binary; the rest call main(): the same code, arguments, environment,
// files and HTTP requests, without a Node start (~0.15 CPU-s each, ~400 a run:
// docs/PERFORMANCE.md, "Fifth pass").
import { execFile } from "node:child_process";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { IO } from "../../cli/lib/io.ts";

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

/** `enc ARGS` as a process of its own; exit -1 when it was killed (after `timeoutMs`). */
export function encBinary(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<EncResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

// ENC_TEST_CLI=process: every call a process of its own, as before (a check of the binary path, and
// the comparison docs/PERFORMANCE.md gives).
const AS_PROCESS = process.env.ENC_TEST_CLI === "process";

type Main = (argv: string[], io: IO) => Promise<number>;
let built: Promise<Main> | undefined;
// The build bin/enc.mjs loads (dist/enc.mjs, made by the global setup), imported by Node itself:
// the artifact users run, not a transform of the sources.
const loadMain = () => (built ??= import(/* @vite-ignore */ pathToFileURL(path.join(ROOT, "dist/enc.mjs")).href).then((m: { main: Main }) => m.main));

/**
 * `enc ARGS` through the built main() in this process, with its own stdout, stderr and
 * environment, and an empty stdin (as a pipe that is closed). The exit code is what the binary
 * would exit with; -1 when it has not answered within `timeoutMs`.
 */
export async function enc(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<EncResult> {
  if (AS_PROCESS) return encBinary(args, env, timeoutMs);
  const main = await loadMain();
  const out: string[] = [];
  const err: string[] = [];
  const io: IO = {
    stdin: Readable.from([]),
    stdout: { isTTY: false, write: (t: string) => out.push(t) },
    stderr: { isTTY: false, write: (t: string) => err.push(t) },
    env,
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)));
  try {
    const code = await Promise.race([main(args, io), timedOut]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    clearTimeout(timer);
  }
}

/** Parses --json stdout, failing with the whole output so a broken run is easy to read. */
export function json<T = Record<string, any>>(r: EncResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}
