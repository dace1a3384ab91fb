import { routes } from "../../protocol/routes.ts";
import type { Cluster } from "../lib/api-types.ts";
import { printCluster } from "../lib/cluster-view.ts";
import { defineCommand } from "../lib/command.ts";
import { complianceFlag, securityLevel } from "../lib/security-level.ts";

export default defineCommand({
  description: "A level only rises. The refusal names the rule, and the workloads that break it.",
  args: {
    level: { description: "standard, enterprise, military-grade (aliases high, maximum)", required: true },
    name: { description: "the cluster (default: the default cluster)" },
  },
  flags: {
    compliance: { type: "string", placeholder: "list", description: "frameworks to collect evidence for: SOC2,HIPAA,PCI-DSS (added)" },
  },
  examples: ["enc cluster set-security-level enterprise demo --compliance SOC2"],
  async run(ctx, { args, flags }) {
    const name = ctx.cluster(args.name);
    const compliance = complianceFlag(flags.compliance);
    const api = await ctx.client();
    const { cluster } = await api.post<{ cluster: Cluster }>(routes.securityLevel(name), { security_level: securityLevel(args.level), ...(compliance ? { compliance } : {}) });
    if (ctx.json) return ctx.emit({ cluster });
    ctx.out(`${ctx.style.ok} Cluster ${ctx.style.bold(cluster.name)} is at security level ${cluster.config.security_level}.\n`);
    printCluster(ctx, cluster);
  },
});
