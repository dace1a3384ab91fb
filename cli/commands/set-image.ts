import { routes } from "../../protocol/routes.ts";
import type { Workload } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { intFlag } from "../lib/values.ts";
import { applyUpdate, waitRollout } from "../lib/rollout-view.ts";

export default defineCommand({
  description: "A new version of the workload with this image; its replicas are replaced one at a time\n(see `enc rollout status`). --wait waits for the rollout and exits 1 if it halts.",
  args: { name: { description: "the workload", required: true }, image: { description: "the new image reference", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    wait: { type: "boolean", short: "w", description: "wait until the rollout completes" },
    timeout: { type: "string", placeholder: "seconds", default: "300", description: "with --wait: give up after this long (default 300)" },
  },
  examples: ["enc set image web registry.example.com/web:1.3", "enc set image web oci:/srv/images/web:v2 --wait"],
  async run(ctx, { args, flags }) {
    const timeout = intFlag(flags.timeout, "timeout", 1, 86_400)!;
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const current = await api.get<Workload>(routes.workload(cluster, args.name));
    const res = await applyUpdate(ctx, api, cluster, { ...current.workload.spec, image: args.image }, "set image");
    const view = flags.wait ? await waitRollout(ctx, api, cluster, args.name, timeout) : undefined;
    if (ctx.json) return ctx.emit({ cluster, workload: res.workload, changed: res.changed, ...(view ? { rollout: view.rollout } : {}) });
    if (view) ctx.out(`${ctx.style.ok} Rollout of ${args.name} to version ${view.version} complete.`);
  },
});
