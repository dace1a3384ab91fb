import { routes } from "../../protocol/routes.ts";
import type { ClusterHealth } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";
import { backoffText, heartbeatAge, nodeStatus, replicaStatus } from "../lib/workload-view.ts";

export default defineCommand({
  description:
    "Degraded means a node is down, or a replica is failed, unhealthy, not placed, or in\n" +
    "CrashLoopBackOff or ImagePullBackOff (its reason and next retry are shown). Exits 0 when the\n" +
    "cluster is ok and 1 when it is degraded, so scripts can use it as a check.",
  flags: { ...CLUSTER_FLAG },
  examples: ["enc health", "enc health --json"],
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const h = await api.get<ClusterHealth>(routes.clusterHealth(cluster));
    const code = h.status === "ok" ? 0 : 1;
    if (ctx.json) {
      ctx.emit({ cluster, ...h });
      return code;
    }
    const s = ctx.style;
    const problems = h.replicas.filter((r) => r.status === "failed" || r.healthy === false || !r.node || r.backoff);
    const down = h.nodes.filter((n) => n.status === "down").length;
    ctx.out(
      h.status === "ok"
        ? `${s.ok} Cluster ${s.bold(cluster)} is healthy: ${h.nodes.length} node${h.nodes.length === 1 ? "" : "s"}, ${h.replicas.length} replica${h.replicas.length === 1 ? "" : "s"}.`
        : `${s.fail} Cluster ${s.bold(cluster)} is ${s.red("degraded")}: ${down} node${down === 1 ? "" : "s"} down, ${problems.length} replica${problems.length === 1 ? "" : "s"} with problems.`,
    );
    if (h.nodes.length) {
      ctx.out("\n" + formatTable(["NODE", "STATUS", "LAST HEARTBEAT"], h.nodes.map((n) => [n.address, nodeStatus(n.status, s), heartbeatAge(n.heartbeat_age_s)]), s));
    }
    if (problems.length) {
      const why = (r: ClusterHealth["replicas"][number]) =>
        r.backoff ? backoffText(r.backoff) : [!r.node ? "not placed" : "", r.healthy === false ? "failing its health check" : "", r.reason ?? ""].filter(Boolean).join("; ");
      ctx.out("\n" + formatTable(["REPLICA", "STATUS", "PROBLEM"], problems.map((r) => [r.id, replicaStatus(r, s), why(r) || r.status]), s));
    }
    return code;
  },
});
