import { routes } from "../../protocol/routes.ts";
import type { Workload } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { intFlag } from "../lib/values.ts";
import { interruptSignal, replicaTable, sleep, statusCounts, wantedReplicas, workloadPairs } from "../lib/workload-view.ts";

export default defineCommand({
  description:
    "NODE is shortened (-o wide prints it whole, with each replica's CONTAINER and spec VERSION); --json and -o yaml carry every field.\n" +
    "HEALTH is the workload's health check as the agent last reported it (- without one); AGE counts from when the replica was placed.\n" +
    "--watch reprints the view every --interval seconds until Ctrl-C (with --json: one document per line, each time something changed).",
  args: { name: { description: "a workload (default: all of them)" } },
  flags: {
    ...CLUSTER_FLAG,
    watch: { type: "boolean", short: "w", description: "keep watching until Ctrl-C" },
    interval: { type: "string", placeholder: "S", default: "2", description: "seconds between --watch refreshes, 1-60 (default 2)" },
  },
  examples: ["enc ps", "enc ps web -o wide", "enc ps --watch", "enc ps web --json"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const fetchView = async (): Promise<View> =>
      args.name ? { one: await api.get<Workload>(routes.workload(cluster, args.name)) } : { all: (await api.get<{ workloads: Workload[] }>(routes.workloads(cluster))).workloads };
    if (!flags.watch) return render(ctx, cluster, await fetchView());
    const everyMs = intFlag(flags.interval, "interval", 1, 60)! * 1000;
    const interrupt = interruptSignal();
    let last = "";
    try {
      while (!interrupt.signal.aborted) {
        const view = await fetchView();
        if (ctx.json) {
          const line = JSON.stringify(document(cluster, view));
          if (line !== last) ctx.out(line);
          last = line;
        } else {
          if (ctx.io.stdout.isTTY) ctx.io.stdout.write("\x1b[H\x1b[2J");
          else if (last) ctx.out("");
          last = "x";
          ctx.out(ctx.style.dim(`${new Date().toISOString()}  every ${everyMs / 1000} s, Ctrl-C to stop`));
          render(ctx, cluster, view);
        }
        await sleep(everyMs, interrupt.signal);
      }
    } finally {
      interrupt.dispose();
    }
  },
});

type View = { one: Workload; all?: undefined } | { all: Workload[]; one?: undefined };

const document = (cluster: string, v: View) => (v.one ? { cluster, workload: v.one.workload, replicas: v.one.replicas } : { cluster, workloads: v.all });

function render(ctx: Context, cluster: string, v: View): void {
  const s = ctx.style;
  const cols = { lifecycle: true, wide: ctx.wide };
  if (ctx.json) return ctx.emit(document(cluster, v));
  if (v.one) {
    const w = v.one;
    ctx.out(workloadPairs(w, s));
    if (w.replicas.length) ctx.out("\n" + replicaTable(w.replicas, s, () => w.workload.spec.cage.network, cols));
    return;
  }
  const workloads = v.all!;
  if (workloads.length === 0) return ctx.out(`No workloads in ${cluster}. Deploy one with \`enc deploy <name> --image <ref>\`.`);
  const replicas = workloads.flatMap((w) => w.replicas);
  const network = new Map(workloads.flatMap((w) => w.replicas.map((r) => [r.id, w.workload.spec.cage.network] as const)));
  if (replicas.length) ctx.out(replicaTable(replicas, s, (r) => network.get(r.id), cols));
  for (const w of workloads.filter((x) => x.replicas.length === 0)) {
    ctx.out(s.dim(`${w.workload.spec.name}: no replicas (wants ${wantedReplicas(w.workload.spec)})`));
  }
  const n = workloads.length;
  ctx.out(s.dim(`${n} workload${n === 1 ? "" : "s"} in ${cluster}; ${replicas.length} replica${replicas.length === 1 ? "" : "s"}: ${statusCounts(replicas)}`));
}
