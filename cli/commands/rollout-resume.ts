import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { intFlag } from "../lib/values.ts";
import { rolloutAction, WAIT_FLAGS } from "../lib/rollout-view.ts";

export default defineCommand({
  description: "Continues a paused rollout, or retries a halted one (its deadline counts afresh).",
  args: { name: { description: "the workload", required: true } },
  flags: { ...CLUSTER_FLAG, ...WAIT_FLAGS },
  examples: ["enc rollout resume web --wait"],
  async run(ctx, { args, flags }) {
    const wait = flags.wait ? intFlag(flags.timeout, "timeout", 1, 86_400) : undefined;
    return rolloutAction(ctx, ctx.cluster(flags.cluster), args.name, "resume", {}, () => `Resumed the rollout of ${args.name}.`, wait);
  },
});
