import { ApiError, type ApiClient } from "../../protocol/api-client.ts";
import type { Context } from "../lib/context.ts";
import { routes } from "../../protocol/routes.ts";
import type { Workload } from "../lib/api-types.ts";
import type { EventsPage } from "../../protocol/api/events.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { intFlag } from "../lib/values.ts";
import { interruptSignal, sleep, statusCounts } from "../lib/workload-view.ts";

export default defineCommand({
  description:
    "Its agents stop the containers: SIGTERM, then SIGKILL after the grace period (--grace-period S,\n" +
    "default the agent's --stop-grace-s; --force: SIGKILL at once). The workload stays listed (replicas\n" +
    "`stopping`) until its agents report every container stopped, and --wait waits for that. A replica\n" +
    "whose node never reports it stopped is dropped after its grace period (30 s if none is given)\n" +
    "plus 30 s; an audit event ReplicaStopUnconfirmed says so.",
  args: { name: { description: "the workload", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    wait: { type: "boolean", short: "w", description: "wait until every container has stopped" },
    "grace-period": { type: "string", placeholder: "S", description: "seconds between SIGTERM and SIGKILL, 0-3600" },
    force: { type: "boolean", description: "SIGKILL at once (a grace period of 0)" },
    timeout: { type: "string", placeholder: "seconds", default: "120", description: "with --wait: give up after this long (default 120)" },
  },
  examples: ["enc rm web", "enc rm web --wait --grace-period 30", "enc rm web --force"],
  async run(ctx, { args, flags }) {
    const grace = intFlag(flags["grace-period"], "grace-period", 0, 3600);
    if (flags.force && grace !== undefined && grace > 0) throw usageError("conflicting_flags", "--force means a grace period of 0; give one or the other");
    const timeout = intFlag(flags.timeout, "timeout", 1, 86_400)!;
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const q = new URLSearchParams();
    if (grace !== undefined) q.set("grace_period_s", String(grace));
    if (flags.force) q.set("force", "true");
    // Where the workload's events stand now: a replica dropped without its node's word shows up after it.
    const before = flags.wait ? (await api.get<EventsPage>(`${routes.events(cluster)}?workload=${encodeURIComponent(args.name)}&limit=1`)).cursor : "";
    const { deleted } = await api.delete<{ deleted: string }>(`${routes.workload(cluster, args.name)}${q.size ? `?${q}` : ""}`);
    if (!ctx.json) ctx.out(`${ctx.style.ok} Deleted workload ${ctx.style.bold(deleted)} from cluster ${cluster}; its agents stop its containers.`);
    if (!flags.wait) return ctx.json ? ctx.emit({ cluster, deleted }) : undefined;
    await waitGone(ctx, api, cluster, deleted, timeout);
    const { events } = await api.get<EventsPage>(`${routes.events(cluster)}?workload=${encodeURIComponent(deleted)}&after=${before}&limit=1000`);
    const unconfirmed = events.filter((e) => e.kind === "replica_stop_unconfirmed").map((e) => ({ replica: e.replica ?? null, reason: e.reason ?? null }));
    if (ctx.json) {
      ctx.emit({ cluster, deleted, stopped: unconfirmed.length === 0, ...(unconfirmed.length ? { unconfirmed } : {}) });
      return unconfirmed.length ? 1 : 0;
    }
    if (unconfirmed.length === 0) {
      ctx.out(`${ctx.style.ok} Every container of ${deleted} has stopped.`);
      return 0;
    }
    // The workload is gone, but not every stop was seen: say so, and do not claim it.
    for (const u of unconfirmed) ctx.note(ctx.errStyle.yellow(`warning: ${u.reason ?? `${u.replica ?? "a replica"} was dropped before its node reported it stopped`}`));
    throw new CLIError("stop_unconfirmed", `${deleted} is deleted, but ${unconfirmed.length} of its containers were never reported stopped (audit: ReplicaStopUnconfirmed)`, 1, "Check those nodes: the containers may still run there until their agents come back and stop them.");
  },
});

/** Polls until the workload is gone: the control plane drops it once its agents report every container stopped. */
async function waitGone(ctx: Context, api: ApiClient, cluster: string, name: string, timeoutS: number): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  const interrupt = interruptSignal();
  let last = "";
  try {
    for (;;) {
      const w = await api.get<Workload>(routes.workload(cluster, name)).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      });
      if (!w) return;
      const line = statusCounts(w.replicas);
      if (line !== last && !ctx.json) ctx.note(ctx.errStyle.dim(`stopping… ${line}`));
      last = line;
      if (interrupt.signal.aborted) throw new CLIError("interrupted", `stopped waiting; ${name}'s containers are still being stopped`);
      if (Date.now() >= deadline) throw new CLIError("wait_timeout", `${name}'s containers did not stop within ${timeoutS} s: ${line}`, 1, `See \`enc ps ${name}\`.`);
      await sleep(500, interrupt.signal);
    }
  } finally {
    interrupt.dispose();
  }
}
