// What the container process is: argv, environment, working directory, hostname.
import type { ImageConfig } from "../image/manifest.ts";
import { CageError } from "./errors.ts";
import { effectiveNetwork, isDeterministic, type CageWorkload } from "./workload.ts";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const CAGE_HOSTNAME = "enc-cage";

/** `command` replaces the image's Entrypoint and Cmd (Kubernetes semantics, as in PROTOCOL.md's example). */
export function resolveArgs(config: ImageConfig, w: CageWorkload): string[] {
  const args = w.command ?? [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) throw new CageError("bad_workload", "nothing to run: no command and the image has neither Entrypoint nor Cmd");
  return args;
}

function imageEnv(config: ImageConfig): Map<string, string> {
  const env = new Map<string, string>();
  for (const kv of config.Env ?? []) {
    const eq = kv.indexOf("=");
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return env;
}

/**
 * PORT is the port to listen on for the first port, PORT_<container_port> for each one: the
 * assigned host port under network "host"; under "none" the container port itself (the agent
 * forwards the host port into the container's namespace), so `-p "$PORT"` works under both.
 */
export function portEnv(w: CageWorkload): Record<string, string> {
  if (isDeterministic(w) || !w.ports?.length) return {};
  const listen = (p: { container_port: number; host_port: number }) => String(effectiveNetwork(w) === "host" ? p.host_port : p.container_port);
  const env: Record<string, string> = { PORT: listen(w.ports[0]!) };
  for (const p of w.ports) env[`PORT_${p.container_port}`] = listen(p);
  return env;
}

/**
 * Normal cages: image Env, then the workload's env, then port variables. Deterministic cages get
 * only PATH (the image's, else the default), TZ=UTC, LANG=C and the declared env, in sorted
 * order, so nothing about the node or the image's incidental env leaks into the run.
 */
export function resolveEnv(config: ImageConfig, w: CageWorkload): string[] {
  const fromImage = imageEnv(config);
  if (isDeterministic(w)) {
    const env: Record<string, string> = { PATH: fromImage.get("PATH") ?? DEFAULT_PATH, TZ: "UTC", LANG: "C", ...w.env };
    return Object.keys(env).sort().map((k) => `${k}=${env[k]}`);
  }
  const env = new Map(fromImage);
  if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
  for (const [k, v] of Object.entries({ ...w.env, ...portEnv(w) })) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export function resolveCwd(config: ImageConfig): string {
  const wd = config.WorkingDir;
  return wd && wd.startsWith("/") ? wd : "/";
}

export function resolveHostname(id: string, w: CageWorkload): string {
  return isDeterministic(w) ? CAGE_HOSTNAME : id.slice(0, 63);
}
