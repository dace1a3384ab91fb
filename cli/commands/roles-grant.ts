import { routes } from "../../protocol/routes.ts";
import type { RoleBinding } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { requireAddress, requireOneOf } from "../lib/values.ts";

const GRANTABLE = ["admin", "operator", "viewer"] as const;

export default defineCommand({
  args: {
    address: { description: "the wallet address, bpi1…", required: true },
    role: { description: GRANTABLE.join(", "), required: true },
  },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc roles grant bpi1… operator --cluster demo"],
  async run(ctx, { args, flags }) {
    const address = requireAddress(args.address);
    const role = requireOneOf(args.role, GRANTABLE, "<role>");
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const res = await api.post<{ role: RoleBinding }>(routes.roles(cluster), { address, role });
    if (ctx.json) return ctx.emit({ cluster, role: res.role });
    ctx.out(`${ctx.style.ok} Granted ${ctx.style.bold(res.role.role)} to ${address} in cluster ${cluster}.`);
  },
});
