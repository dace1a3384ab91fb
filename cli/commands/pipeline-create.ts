import { routes } from "../../protocol/routes.ts";
import type { Pipeline } from "../../protocol/api/pipeline.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { intFlag } from "../lib/values.ts";
import { printPipeline } from "../lib/pipeline-view.ts";

export default defineCommand({
  description:
    "Stages are named in order with --stage NAME=WORKLOAD[,WORKLOAD…], or NAME=CLUSTER:WORKLOAD[,…]\n" +
    "for a stage in another cluster; a promotion gives the i-th workload of the next stage the\n" +
    "containers of the i-th workload of the stage before it.\n" +
    "Gates: the source healthy, optionally its latest replay a MATCH, K approvals by distinct wallets\n" +
    "holding --approver-role (never the promotion's author), then the target healthy for N s and,\n" +
    "with --max-error-rate, its gateway requests answered 5xx at most X% (red rolls it back).",
  args: { name: { description: "the pipeline", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    stage: { type: "string", multiple: true, placeholder: "NAME=[CLUSTER:]WL[,WL]", description: "a stage and its workloads, in promotion order (at least two)" },
    approvals: { type: "string", placeholder: "K", default: "1", description: "approvals needed per promotion, 0-10 (default 1)" },
    "approver-role": { type: "string", placeholder: "ROLE", default: "admin", description: "operator, admin or owner (default admin)" },
    "healthy-for": { type: "string", placeholder: "S", default: "30", description: "the target must be healthy this many seconds (default 30)" },
    "verify-timeout": { type: "string", placeholder: "S", default: "600", description: "red if not healthy within this many seconds (default 600)" },
    "replay-match": { type: "boolean", description: "each source workload's latest replay must be a MATCH" },
    "max-error-rate": { type: "string", placeholder: "X", description: "after the change, at most X% of the target's gateway requests answered 5xx (0-100)" },
    "min-requests": { type: "string", placeholder: "N", description: "requests the error rate needs before it decides (default 10; fewer: the gate waits)" },
    production: { type: "string", multiple: true, placeholder: "STAGE", description: "mark a stage as production (production and prod are already)" },
  },
  examples: [
    "enc pipeline create web --stage staging=web-staging --stage production=web-prod --approvals 2",
    "enc pipeline create web --stage staging=web-staging --stage production=prod:web-prod --max-error-rate 1 --min-requests 50",
  ],
  async run(ctx, { args, flags }) {
    const stages = flags.stage.map((s) => {
      const m = /^([^=]+)=(?:([^:=]+):)?(.+)$/.exec(s);
      if (!m) throw usageError("bad-stage", `--stage ${s}: expected NAME=[CLUSTER:]WORKLOAD[,WORKLOAD…]`);
      return { name: m[1], workloads: m[3].split(",").filter(Boolean), ...(m[2] ? { cluster: m[2] } : {}), ...(flags.production.includes(m[1]) ? { production: true } : {}) };
    });
    if (stages.length < 2) throw usageError("bad-stage", "a pipeline needs at least two --stage");
    const unknown = flags.production.find((n) => !stages.some((s) => s.name === n));
    if (unknown) throw usageError("bad-stage", `--production ${unknown}: no such --stage`);
    const rate = flags["max-error-rate"] === undefined ? undefined : Number(flags["max-error-rate"]);
    if (rate !== undefined && !(rate >= 0 && rate <= 100)) throw usageError("bad-flag", `--max-error-rate ${flags["max-error-rate"]}: expected a percentage from 0 to 100`);
    const cluster = ctx.cluster(flags.cluster);
    const body = {
      name: args.name,
      stages,
      gates: {
        healthy_for_s: intFlag(flags["healthy-for"], "healthy-for", 0, 86_400)!,
        verify_timeout_s: intFlag(flags["verify-timeout"], "verify-timeout", 1, 86_400)!,
        replay_match: flags["replay-match"],
        ...(rate !== undefined ? { max_error_rate: rate } : {}),
        ...(flags["min-requests"] !== undefined ? { min_requests: intFlag(flags["min-requests"], "min-requests", 1, 1_000_000)! } : {}),
        approvals: { count: intFlag(flags.approvals, "approvals", 0, 10)!, role: flags["approver-role"] },
      },
    };
    const { pipeline } = await (await ctx.client()).post<{ pipeline: Pipeline }>(routes.pipelines(cluster), body);
    if (ctx.json) return ctx.emit({ cluster, pipeline });
    ctx.out(`${ctx.style.ok} Created pipeline ${pipeline.name} in ${cluster}.`);
    printPipeline(ctx, pipeline);
  },
});
