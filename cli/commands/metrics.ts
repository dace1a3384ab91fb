import { ApiError } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import type { ClusterMetrics } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { metricsPairs } from "../lib/workload-view.ts";

export default defineCommand({
  description:
    "Utilization is the usage agents report over the capacity ready nodes declare; allocation is what\n" +
    "placed replicas request. --prometheus prints the text exposition format for a scraper.",
  flags: {
    ...CLUSTER_FLAG,
    prometheus: { type: "boolean", description: "the Prometheus text format (--json wraps it as {cluster, prometheus})" },
  },
  examples: ["enc metrics", "enc metrics --prometheus > enc.prom"],
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const path = routes.metrics(cluster);
    if (flags.prometheus) {
      const res = await api.raw("GET", `${path}?format=prometheus`);
      const text = await res.text();
      if (!res.ok) throw new ApiError(res.status, problemOf(text));
      if (ctx.json) return ctx.emit({ cluster, prometheus: text });
      ctx.io.stdout.write(text);
      return;
    }
    const metrics = await api.get<ClusterMetrics>(path);
    if (ctx.json) return ctx.emit({ cluster, metrics });
    ctx.out(formatPairs([["Cluster", ctx.style.bold(cluster)], ...metricsPairs(metrics)], ctx.style));
  },
});

function problemOf(text: string): ApiError["problem"] {
  try {
    return JSON.parse(text) as ApiError["problem"];
  } catch {
    return { detail: text.slice(0, 500) };
  }
}
