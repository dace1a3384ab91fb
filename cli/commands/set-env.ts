import { routes } from "../../protocol/routes.ts";
import type { Workload } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { intFlag } from "../lib/values.ts";
import { applyUpdate, waitRollout } from "../lib/rollout-view.ts";

export default defineCommand({
  description: "Sets (K=V) or removes (K-) environment variables in a new version of the workload; its\nreplicas are replaced one at a time. --wait waits for the rollout and exits 1 if it halts.",
  args: { name: { description: "the workload", required: true } },
  rest: { name: "K=V|K-", description: "variables to set, or to remove with a trailing -", positional: true },
  flags: {
    ...CLUSTER_FLAG,
    wait: { type: "boolean", short: "w", description: "wait until the rollout completes" },
    timeout: { type: "string", placeholder: "seconds", default: "300", description: "with --wait: give up after this long (default 300)" },
  },
  examples: ["enc set env web LOG_LEVEL=debug GREETING='hello there'", "enc set env web LOG_LEVEL-"],
  async run(ctx, { args, flags, rest }) {
    if (!rest.length) throw usageError("missing_argument", "`enc set env` needs at least one K=V or K-", "Run `enc set env --help` for its usage.");
    const timeout = intFlag(flags.timeout, "timeout", 1, 86_400)!;
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const current = await api.get<Workload>(routes.workload(cluster, args.name));
    const env: Record<string, string> = { ...current.workload.spec.env };
    for (const w of rest) {
      const i = w.indexOf("=");
      if (i < 0 && /^[A-Za-z_][A-Za-z0-9_]*-$/.test(w)) delete env[w.slice(0, -1)];
      else if (i > 0) env[w.slice(0, i)] = w.slice(i + 1);
      else throw usageError("bad_value", `expected K=V or K-, got ${JSON.stringify(w)}`);
    }
    const res = await applyUpdate(ctx, api, cluster, { ...current.workload.spec, env }, "set env");
    const view = flags.wait ? await waitRollout(ctx, api, cluster, args.name, timeout) : undefined;
    if (ctx.json) return ctx.emit({ cluster, workload: res.workload, changed: res.changed, ...(view ? { rollout: view.rollout } : {}) });
    if (view) ctx.out(`${ctx.style.ok} Rollout of ${args.name} to version ${view.version} complete.`);
  },
});
