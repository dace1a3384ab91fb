import { routes } from "../../protocol/routes.ts";
import type { Pipeline } from "../../protocol/api/pipeline.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { intFlag } from "../lib/values.ts";
import { printPipeline } from "../lib/pipeline-view.ts";

export default defineCommand({
  description:
    "Stages are named in order with --stage NAME=WORKLOAD[,WORKLOAD…]; a promotion gives the i-th\n" +
    "workload of the next stage the containers of the i-th workload of the stage before it.\n" +
    "Gates: the source healthy, optionally its latest replay a MATCH, K approvals by distinct wallets\n" +
    "holding --approver-role (never the promotion's author), then the target healthy for N s (red rolls it back).",
  args: { name: { description: "the pipeline", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    stage: { type: "string", multiple: true, placeholder: "NAME=WL[,WL]", description: "a stage and its workloads, in promotion order (at least two)" },
    approvals: { type: "string", placeholder: "K", default: "1", description: "approvals needed per promotion, 0-10 (default 1)" },
    "approver-role": { type: "string", placeholder: "ROLE", default: "admin", description: "operator, admin or owner (default admin)" },
    "healthy-for": { type: "string", placeholder: "S", default: "30", description: "the target must be healthy this many seconds (default 30)" },
    "verify-timeout": { type: "string", placeholder: "S", default: "600", description: "red if not healthy within this many seconds (default 600)" },
    "replay-match": { type: "boolean", description: "each source workload's latest replay must be a MATCH" },
  },
  examples: ["enc pipeline create web --stage staging=web-staging --stage production=web-prod --approvals 2"],
  async run(ctx, { args, flags }) {
    const stages = flags.stage.map((s) => {
      const m = /^([^=]+)=(.+)$/.exec(s);
      if (!m) throw usageError("bad-stage", `--stage ${s}: expected NAME=WORKLOAD[,WORKLOAD…]`);
      return { name: m[1], workloads: m[2].split(",").filter(Boolean) };
    });
    if (stages.length < 2) throw usageError("bad-stage", "a pipeline needs at least two --stage");
    const cluster = ctx.cluster(flags.cluster);
    const body = {
      name: args.name,
      stages,
      gates: {
        healthy_for_s: intFlag(flags["healthy-for"], "healthy-for", 0, 86_400)!,
        verify_timeout_s: intFlag(flags["verify-timeout"], "verify-timeout", 1, 86_400)!,
        replay_match: flags["replay-match"],
        approvals: { count: intFlag(flags.approvals, "approvals", 0, 10)!, role: flags["approver-role"] },
      },
    };
    const { pipeline } = await (await ctx.client()).post<{ pipeline: Pipeline }>(routes.pipelines(cluster), body);
    if (ctx.json) return ctx.emit({ cluster, pipeline });
    ctx.out(`${ctx.style.ok} Created pipeline ${pipeline.name} in ${cluster}.`);
    printPipeline(ctx, pipeline);
  },
});
