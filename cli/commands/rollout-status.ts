import { routes } from "../../protocol/routes.ts";
import type { RolloutView } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { intFlag } from "../lib/values.ts";
import { rolloutPairs, waitRollout } from "../lib/rollout-view.ts";

export default defineCommand({
  description: "The rollout's state (progressing, paused, halted with its reason, complete) and the ready\nreplicas of each version. --wait polls until it completes and exits 1 if it halts.",
  args: { name: { description: "the workload", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    wait: { type: "boolean", short: "w", description: "wait until the rollout completes" },
    timeout: { type: "string", placeholder: "seconds", default: "300", description: "with --wait: give up after this long (default 300)" },
  },
  examples: ["enc rollout status web", "enc rollout status web --wait"],
  async run(ctx, { args, flags }) {
    const timeout = intFlag(flags.timeout, "timeout", 1, 86_400)!;
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const view = flags.wait ? await waitRollout(ctx, api, cluster, args.name, timeout) : await api.get<RolloutView>(routes.workloadRollout(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, ...view });
    ctx.out(rolloutPairs(view, ctx));
    return view.rollout?.status === "halted" ? 1 : 0;
  },
});
