import { routes } from "../../protocol/routes.ts";
import type { RoleBinding } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatTable } from "../lib/table.ts";

export default defineCommand({
  description: "Roles: owner (the creator), admin, operator, viewer, node. See `enc roles grant` and `enc roles revoke`.",
  flags: { ...CLUSTER_FLAG },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { roles } = await api.get<{ roles: RoleBinding[] }>(routes.roles(cluster));
    if (ctx.json) return ctx.emit({ cluster, roles });
    const me = api.signer?.address;
    const rows = roles.map((r) => [r.address + (r.address === me ? ctx.style.dim(" (you)") : ""), r.role, r.granted_by, r.granted_at]);
    ctx.out(formatTable(["ADDRESS", "ROLE", "GRANTED BY", "GRANTED AT"], rows, ctx.style));
  },
});
