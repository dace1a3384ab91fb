// Updates and rollouts as the CLI shows them (deploy on an existing workload, set, rollout).
import { printWarnings } from "./warnings.ts";
import type { ApiClient } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import type { RolloutView, Workload, WorkloadSpec } from "./api-types.ts";
import type { FlagDef } from "./command.ts";
import type { Context } from "./context.ts";
import { CLIError } from "./errors.ts";
import { formatPairs } from "./table.ts";
import { interruptSignal, sleep } from "./workload-view.ts";

export type Updated = Workload & { changed: string[] };

/** Nested settings given on the command line merge into the current ones; the rest replace. */
const MERGED = ["env", "resources", "cage", "health_check", "rollout"] as const;

export function mergeSpec(current: WorkloadSpec, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current, ...given };
  for (const k of MERGED) {
    if (given[k] && typeof given[k] === "object" && current[k]) out[k] = { ...(current[k] as object), ...(given[k] as object) };
  }
  return out;
}

/** PUTs the new spec and prints what changed. */
export async function applyUpdate(ctx: Context, api: ApiClient, cluster: string, spec: Record<string, unknown>, cause: string): Promise<Updated> {
  const name = String(spec.name);
  const res = await api.put<Updated>(`${routes.workload(cluster, name)}?cause=${encodeURIComponent(cause)}`, spec);
  printWarnings(ctx, res);
  if (!ctx.json) {
    const what = res.changed.length ? `changed ${res.changed.join(", ")}` : "nothing changed";
    ctx.out(`${ctx.style.ok} Updated ${ctx.style.bold(name)} in cluster ${cluster} to version ${res.workload.version}: ${what}.`);
  }
  return res;
}

export function rolloutPairs(v: RolloutView, ctx: Context): string {
  const r = v.rollout;
  const st = !r ? "none (never updated)" : r.status === "complete" ? ctx.style.green(r.status) : r.status === "halted" ? ctx.style.red(r.status) : ctx.style.yellow(r.status);
  const pairs: [string, string][] = [
    ["Workload", v.workload],
    ["Version", String(v.version)],
    ["Rollout", st],
  ];
  if (r) pairs.push(["From", `version ${r.from_version} → ${r.to_version}`], ["Started", r.started_at]);
  if (r?.reason) pairs.push(["Reason", r.reason]);
  for (const x of v.replicas) pairs.push([`Version ${x.version}`, `${x.ready}/${x.total} ready`]);
  return formatPairs(pairs, ctx.style);
}

/** Polls the rollout until it completes; a halt or the timeout is an error naming why. */
export async function waitRollout(ctx: Context, api: ApiClient, cluster: string, name: string, timeoutS: number): Promise<RolloutView> {
  const deadline = Date.now() + timeoutS * 1000;
  const interrupt = interruptSignal();
  let last = "";
  try {
    for (;;) {
      const v = await api.get<RolloutView>(routes.workloadRollout(cluster, name));
      const line = v.replicas.map((x) => `v${x.version} ${x.ready}/${x.total} ready`).join(", ");
      if (line !== last && !ctx.json) ctx.note(ctx.errStyle.dim(`rolling out… ${line}`));
      last = line;
      if (!v.rollout || v.rollout.status === "complete") return v;
      if (v.rollout.status === "halted") throw new CLIError("rollout_halted", `the rollout of ${name} halted: ${v.rollout.reason ?? "no reason given"}`, 1, `The old replicas keep serving. Fix the spec and update again, or \`enc rollout undo ${name}\`.`);
      if (v.rollout.status === "paused") throw new CLIError("rollout_paused", `the rollout of ${name} is paused`, 1, `\`enc rollout resume ${name}\` continues it.`);
      if (interrupt.signal.aborted) throw new CLIError("interrupted", `stopped waiting for ${name}; its rollout goes on (see \`enc rollout status ${name}\`)`);
      if (Date.now() >= deadline) throw new CLIError("wait_timeout", `the rollout of ${name} did not finish within ${timeoutS} s: ${line}`, 1, `See \`enc rollout status ${name}\`.`);
      await sleep(1000, interrupt.signal);
    }
  } finally {
    interrupt.dispose();
  }
}
/** The --wait/--timeout pair of the rollout commands. */
export const WAIT_FLAGS = {
  wait: { type: "boolean", short: "w", description: "wait until the rollout completes" },
  timeout: { type: "string", placeholder: "seconds", default: "300", description: "with --wait: give up after this long (default 300)" },
} as const satisfies Record<string, FlagDef>;

/** POSTs a rollout action, prints what happened and, with `wait` seconds, waits for the rollout. */
export async function rolloutAction(
  ctx: Context,
  cluster: string,
  name: string,
  action: "undo" | "pause" | "resume" | "restart",
  body: Record<string, unknown>,
  done: (v: RolloutView & { changed?: string[] }) => string,
  wait?: number,
): Promise<number> {
  const api = await ctx.client();
  const url = routes.workloadRolloutAction(cluster, name, action);
  let view = await api.post<RolloutView & { changed?: string[] }>(url, body);
  if (!ctx.json) ctx.out(`${ctx.style.ok} ${done(view)}`);
  if (wait !== undefined) view = await waitRollout(ctx, api, cluster, name, wait);
  if (ctx.json) {
    ctx.emit({ cluster, ...view });
    return 0;
  }
  ctx.out("\n" + rolloutPairs(view, ctx));
  return 0;
}
