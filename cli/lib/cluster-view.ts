import type { Cluster } from "./api-types.ts";
import type { Context } from "./context.ts";
import { formatPairs } from "./table.ts";

export function printCluster(ctx: Context, c: Cluster): void {
  const cfg = c.config;
  ctx.out(
    formatPairs(
      [
        ["Cluster", ctx.style.bold(c.name)],
        ["Owner", c.owner],
        ["Created", c.created_at],
        ["Nodes", `${c.nodes} of at most ${cfg.max_nodes}`],
        ["Notary", `seals a block at ${cfg.notary.max_receipts_per_block} receipts or after ${cfg.notary.max_block_window_s} s`],
        ["Scheduling", `${cfg.max_replicas_per_node} replicas per node, ${cfg.load_balancing_algorithm}, auto-scaling ${cfg.auto_scaling_enabled ? "on" : "off"}`],
        ["Security", [cfg.security_level, ...(cfg.quantum_safe ? ["quantum-safe"] : []), ...(cfg.compliance?.length ? [`evidence for ${cfg.compliance.join(", ")}`] : [])].join("; ")],
        ["Signatures", cfg.quantum_safe ? "ed25519 + ml-dsa-65 (quantum-safe)" : "ed25519"],
      ],
      ctx.style,
    ),
  );
}
