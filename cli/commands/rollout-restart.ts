import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { intFlag } from "../lib/values.ts";
import { rolloutAction, WAIT_FLAGS } from "../lib/rollout-view.ts";

export default defineCommand({
  description: "Replaces every replica by a fresh one, one at a time, with the same spec (a new version).",
  args: { name: { description: "the workload", required: true } },
  flags: { ...CLUSTER_FLAG, ...WAIT_FLAGS },
  examples: ["enc rollout restart web --wait"],
  async run(ctx, { args, flags }) {
    const wait = flags.wait ? intFlag(flags.timeout, "timeout", 1, 86_400) : undefined;
    return rolloutAction(ctx, ctx.cluster(flags.cluster), args.name, "restart", {}, (v) => `Restarting ${args.name}: version ${v.version}.`, wait);
  },
});
