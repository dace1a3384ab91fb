import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { intFlag } from "../lib/values.ts";
import { rolloutAction, WAIT_FLAGS } from "../lib/rollout-view.ts";

export default defineCommand({
  description:
    "Rolls back to the previous version whose containers differ (or --to-version N): its spec becomes a\n" +
    "new version, replica counts and autoscaling kept, and replicas are replaced one at a time.",
  args: { name: { description: "the workload", required: true } },
  flags: { ...CLUSTER_FLAG, "to-version": { type: "string", placeholder: "N", description: "the version to go back to (see `enc rollout history`)" }, ...WAIT_FLAGS },
  examples: ["enc rollout undo web", "enc rollout undo web --to-version 2 --wait"],
  async run(ctx, { args, flags }) {
    const to = intFlag(flags["to-version"], "to-version", 1);
    const wait = flags.wait ? intFlag(flags.timeout, "timeout", 1, 86_400) : undefined;
    return rolloutAction(ctx, ctx.cluster(flags.cluster), args.name, "undo", to === undefined ? {} : { to_version: to }, (v) =>
      `Rolled ${args.name} back: version ${v.version} (${v.changed?.length ? `changed ${v.changed.join(", ")}` : "same containers"}).`, wait);
  },
});
