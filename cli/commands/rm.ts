import { ApiError, type ApiClient } from "../../protocol/api-client.ts";
import type { Context } from "../lib/context.ts";
import { routes } from "../../protocol/routes.ts";
import type { Workload } from "../lib/api-types.ts";
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
    const { deleted } = await api.delete<{ deleted: string }>(`${routes.workload(cluster, args.name)}${q.size ? `?${q}` : ""}`);
    if (!ctx.json) ctx.out(`${ctx.style.ok} Deleted workload ${ctx.style.bold(deleted)} from cluster ${cluster}; its agents stop its containers.`);
    if (flags.wait) await waitGone(ctx, api, cluster, deleted, timeout);
    if (ctx.json) return ctx.emit({ cluster, deleted, ...(flags.wait ? { stopped: true } : {}) });
    if (flags.wait) ctx.out(`${ctx.style.ok} Every container of ${deleted} has stopped.`);
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
