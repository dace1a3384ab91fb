import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
const QUIET_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "1", NO_COLOR: "1" };

export interface ControlPlane {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  /** Local state directory (D1 + DO SQLite); wrangler's default when omitted. */
  persistTo?: string;
  /** Extra vars, e.g. keys for tests (otherwise .dev.vars is read). */
  vars?: Record<string, string>;
  log?: (line: string) => void;
  /** false when `persistTo` already holds the migrated D1 (tests copy one migrated template). */
  migrate?: boolean;
  /** Another wrangler.toml than the project's (the plain-workerd bench's). */
  config?: string;
  /** The inspector's port (a free one when omitted), for a CPU profile. */
  inspectorPort?: number;
  /** Extra environment for wrangler (the split bench's private WRANGLER_REGISTRY_PATH). */
  env?: Record<string, string>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Applies the D1 migrations to the local ledger (idempotent). */
export function applyMigrations(persistTo?: string, config?: string): void {
  const args = ["d1", "migrations", "apply", "ledger", "--local"];
  if (persistTo) args.push("--persist-to", persistTo);
  if (config) args.push("--config", config);
  const r = spawnSync(WRANGLER, args, { cwd: ROOT, env: QUIET_ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`applying D1 migrations failed:\n${r.stdout}\n${r.stderr}`);
}

export async function waitForHealth(url: string, timeoutMs = 60_000, proc?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`control plane exited with code ${proc.exitCode}`);
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`control plane at ${url} did not become healthy within ${timeoutMs / 1000} s`);
}

/** Runs the real Worker with `wrangler dev` (workerd + local DO SQLite and D1). */
export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const port = opts.port ?? (await freePort());
  if (opts.migrate !== false) applyMigrations(opts.persistTo, opts.config);
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(opts.inspectorPort ?? (await freePort())), "--show-interactive-dev-session=false"];
  if (opts.persistTo) args.push("--persist-to", opts.persistTo);
  if (opts.config) args.push("--config", opts.config);
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push("--var", `${k}:${v}`);
  const proc = spawn(WRANGLER, args, { cwd: ROOT, env: { ...QUIET_ENV, ...opts.env }, stdio: ["ignore", "pipe", "pipe"], detached: false });
  const tail: string[] = [];
  const onData = (b: Buffer) => {
    for (const line of b.toString().split("\n")) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 50) tail.shift();
      opts.log?.(line);
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, 90_000, proc);
  } catch (e) {
    proc.kill("SIGTERM");
    throw new Error(`${(e as Error).message}\n--- wrangler output ---\n${tail.join("\n")}`, { cause: e });
  }
  return {
    url,
    process: proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
        setTimeout(() => proc.kill("SIGKILL"), 5000).unref();
      }),
  };
}
