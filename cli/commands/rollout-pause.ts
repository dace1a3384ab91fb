import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { rolloutAction } from "../lib/rollout-view.ts";

export default defineCommand({
  description: "No further replicas are replaced until `enc rollout resume`; what runs keeps running.",
  args: { name: { description: "the workload", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc rollout pause web"],
  async run(ctx, { args, flags }) {
    return rolloutAction(ctx, ctx.cluster(flags.cluster), args.name, "pause", {}, () => `Paused the rollout of ${args.name}.`);
  },
});
