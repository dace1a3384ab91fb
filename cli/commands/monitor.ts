import type { ApiClient } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import type { ClusterHealth, ClusterMetrics, Workload } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { formatPairs, formatTable, short } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";
import { heartbeatAge, interruptSignal, metricsPairs, nodeStatus, replicaTable, sleep } from "../lib/workload-view.ts";

const CLEAR = "\x1b[H\x1b[2J";

interface Snapshot {
  cluster: string;
  at: string;
  status: ClusterHealth["status"];
  metrics: ClusterMetrics;
  nodes: ClusterHealth["nodes"];
  workloads: Workload[];
}

export default defineCommand({
  description:
    "On a terminal the screen is redrawn every --interval seconds; otherwise one snapshot is printed\n" +
    "per interval. Stops on Ctrl-C, or after --count refreshes. --json prints one JSON object per line.",
  flags: {
    ...CLUSTER_FLAG,
    interval: { type: "string", short: "n", placeholder: "seconds", default: "2", description: "seconds between refreshes, 1-3600 (default 2)" },
    count: { type: "string", placeholder: "N", description: "stop after N refreshes (default: until Ctrl-C)" },
  },
  examples: ["enc monitor", "enc monitor --interval 5 --count 3 > snapshots.txt"],
  async run(ctx, { flags }) {
    const interval = intFlag(flags.interval, "interval", 1, 3600)!;
    const count = intFlag(flags.count, "count");
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const live = ctx.io.stdout.isTTY === true && !ctx.json;
    const interrupt = interruptSignal();
    try {
      for (let i = 1; count === undefined || i <= count; i++) {
        let snap: Snapshot;
        try {
          snap = await snapshot(api, cluster);
        } catch (err) {
          if (i === 1) throw err; // a wrong cluster or role: nothing to monitor
          ctx.note(ctx.errStyle.yellow(`refresh failed: ${(err as Error).message}; retrying in ${interval} s`));
          await sleep(interval * 1000, interrupt.signal);
          if (interrupt.signal.aborted) break;
          continue;
        }
        if (ctx.json) ctx.out(JSON.stringify(snap));
        else ctx.io.stdout.write((live ? CLEAR : i > 1 ? "\n" : "") + render(ctx, snap, interval, live));
        if (count !== undefined && i === count) break;
        await sleep(interval * 1000, interrupt.signal);
        if (interrupt.signal.aborted) break;
      }
    } finally {
      interrupt.dispose();
    }
  },
});

async function snapshot(api: ApiClient, cluster: string): Promise<Snapshot> {
  const [metrics, health, { workloads }] = await Promise.all([
    api.get<ClusterMetrics>(routes.metrics(cluster)),
    api.get<ClusterHealth>(routes.clusterHealth(cluster)),
    api.get<{ workloads: Workload[] }>(routes.workloads(cluster)),
  ]);
  return { cluster, at: new Date().toISOString(), status: health.status, metrics, nodes: health.nodes, workloads };
}

function render(ctx: Context, snap: Snapshot, interval: number, live: boolean): string {
  const s = ctx.style;
  const status = snap.status === "ok" ? s.green("ok") : s.red("degraded");
  const parts = [
    `${s.bold(`enc monitor · ${snap.cluster}`)} · ${status} · ${snap.at}${live ? s.dim(` · every ${interval} s, Ctrl-C to quit`) : ""}`,
    "",
    formatPairs(metricsPairs(snap.metrics), s),
  ];
  parts.push(
    snap.nodes.length
      ? formatTable(["NODE", "STATUS", "LAST HEARTBEAT"], snap.nodes.map((n) => [short(n.address), nodeStatus(n.status, s), heartbeatAge(n.heartbeat_age_s)]), s)
      : s.dim("No nodes.\n"),
  );
  const replicas = snap.workloads.flatMap((w) => w.replicas);
  parts.push(replicas.length ? replicaTable(replicas, s) : s.dim(snap.workloads.length ? "No replicas.\n" : "No workloads.\n"));
  return parts.join("\n");
}
