import { routes } from "../../protocol/routes.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";

export default defineCommand({
  description: "Removes an agreement: the workloads it created (last dependency wave first) and its httpcg registrations; nothing else.",
  args: { name: { description: "the agreement", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc agreement rm shop"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const r = await (await ctx.client()).delete<{ deleted: string; workloads: string[]; unregistered: string[] }>(routes.agreement(cluster, args.name));
    if (ctx.json) return ctx.emit(r);
    ctx.out(`agreement/${r.deleted} removing: ${r.workloads.join(", ") || "no workloads"}${r.unregistered.length ? `; unregistered ${r.unregistered.join(", ")}` : ""}`);
  },
});
