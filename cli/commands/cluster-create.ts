import { routes } from "../../protocol/routes.ts";
import { readFileSync } from "node:fs";
import type { Cluster } from "../lib/api-types.ts";
import { printCluster } from "../lib/cluster-view.ts";
import { defineCommand } from "../lib/command.ts";
import { CLIError } from "../lib/errors.ts";
import { intFlag, requireOneOf } from "../lib/values.ts";
import { saveDefaultCluster } from "../lib/wallet.ts";
import { complianceFlag, securityLevel } from "../lib/security-level.ts";

const LB = ["round_robin", "consistent_hashing", "least_connections", "weighted_round_robin", "resource_based"] as const;

export default defineCommand({
  description: "Omitted settings take the server's defaults. Flags override values from --config.\nThe new cluster becomes your default cluster.",
  args: { name: { description: "cluster name: 2-63 of a-z, 0-9 and '-'", required: true } },
  flags: {
    config: { type: "string", placeholder: "file.json", description: "a ClusterConfig JSON document" },
    "max-receipts-per-block": { type: "string", placeholder: "N", description: "seal a LogBlock at N pending receipts (default 100)" },
    "max-block-window-s": { type: "string", placeholder: "N", description: "seal when the oldest pending receipt is N s old (default 300)" },
    "max-nodes": { type: "string", placeholder: "N", description: "node limit (default 100)" },
    "max-replicas-per-node": { type: "string", placeholder: "N", description: "replicas per node (default 10)" },
    "load-balancing": { type: "string", placeholder: "algo", description: LB.join(", ") },
    "security-level": { type: "string", placeholder: "level", description: "standard, enterprise, military-grade (aliases high, maximum); see the README's level table" },
    compliance: { type: "string", placeholder: "list", description: "frameworks to collect evidence for: SOC2,HIPAA,PCI-DSS" },
    "auto-scaling": { type: "boolean", description: "enable auto-scaling" },
    "quantum-safe": { type: "boolean", description: "co-sign LogBlocks and audit entries with ML-DSA-65 (never turned off)" },
  },
  examples: ["enc cluster create demo --max-receipts-per-block 10 --max-block-window-s 60"],
  async run(ctx, { args, flags }) {
    const config: Record<string, unknown> = flags.config ? readConfigFile(flags.config) : {};
    const set = (key: string, v: unknown) => v !== undefined && (config[key] = v);
    const notary: Record<string, unknown> = { ...(config.notary as object | undefined) };
    const setNotary = (key: string, v: number | undefined) => v !== undefined && (notary[key] = v);
    setNotary("max_receipts_per_block", intFlag(flags["max-receipts-per-block"], "max-receipts-per-block", 1, 10_000));
    setNotary("max_block_window_s", intFlag(flags["max-block-window-s"], "max-block-window-s", 1, 86_400));
    if (Object.keys(notary).length) config.notary = notary;
    set("max_nodes", intFlag(flags["max-nodes"], "max-nodes", 1, 10_000));
    set("max_replicas_per_node", intFlag(flags["max-replicas-per-node"], "max-replicas-per-node", 1, 1_000));
    set("load_balancing_algorithm", flags["load-balancing"] && requireOneOf(flags["load-balancing"], LB, "--load-balancing"));
    set("security_level", flags["security-level"] && securityLevel(flags["security-level"]));
    set("compliance", complianceFlag(flags.compliance));
    if (flags["auto-scaling"]) config.auto_scaling_enabled = true;
    if (flags["quantum-safe"]) config.quantum_safe = true;

    const api = await ctx.client();
    const body = Object.keys(config).length ? { name: args.name, config } : { name: args.name };
    const { cluster } = await api.post<{ cluster: Cluster }>(routes.clusters(), body);
    saveDefaultCluster(ctx.env, cluster.name);
    if (ctx.json) return ctx.emit({ cluster, default: true });
    ctx.out(`${ctx.style.ok} Created cluster ${ctx.style.bold(cluster.name)}; it is now your default cluster.\n`);
    printCluster(ctx, cluster);
  },
});

function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CLIError("bad_config_file", `cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CLIError("bad_config_file", `${file} must hold a JSON object (a ClusterConfig)`);
  }
  return parsed as Record<string, unknown>;
}
