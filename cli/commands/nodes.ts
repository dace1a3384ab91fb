import { routes } from "../../protocol/routes.ts";
import type { ClusterNode } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";

export default defineCommand({
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { nodes } = await api.get<{ nodes: ClusterNode[] }>(routes.nodes(cluster));
    // Consensus placement: which nodes are validators of the current set (none otherwise).
    const set = await api
      .get<{ validator_set: { epoch: number; quorum: number; validators: string[] } | null }>(routes.validatorSet(cluster))
      .then((r) => r.validator_set, () => null);
    if (ctx.json) return ctx.emit({ cluster, nodes, ...(set ? { validator_set: set } : {}) });
    if (nodes.length === 0) {
      ctx.out(`Cluster ${cluster} has no nodes yet. Add one with \`enc token create --cluster ${cluster}\`.`);
      return;
    }
    const s = ctx.style;
    const status = (st: string) => (st === "ready" ? s.green(st) : st === "down" ? s.red(st) : s.yellow(st));
    const rows = nodes.map((n) => [
      n.address,
      n.node_type,
      status(n.status),
      `${n.capabilities.cpu_cores}`,
      `${n.capabilities.memory_gb} GB`,
      n.zone ?? "-",
      n.last_heartbeat ?? "never",
      n.endpoint,
      ...(set ? [set.validators.includes(n.address) ? "validator" : "-"] : []),
    ]);
    ctx.out(formatTable(["ADDRESS", "TYPE", "STATUS", "CPU", "MEMORY", "ZONE", "LAST HEARTBEAT", "ENDPOINT", ...(set ? ["VALIDATOR"] : [])], rows, s));
    ctx.out(s.dim(`${nodes.length} node${nodes.length === 1 ? "" : "s"} in ${cluster}`));
    if (set) ctx.out(s.dim(`validator set epoch ${set.epoch}: ${set.quorum} of ${set.validators.length} (${set.validators.filter((v) => nodes.some((n) => n.address === v)).length} joined)`));
  },
});
