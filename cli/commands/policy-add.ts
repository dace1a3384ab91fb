import { routes } from "../../protocol/routes.ts";
import type { Policy } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { requireOneOf } from "../lib/values.ts";
import { printPolicy } from "../lib/policy-view.ts";

const ACTIONS = ["deny", "warn", "audit", "allow"] as const;
const MATCHES = ["deploy", "update", "scale", "exec", "agreement", "role"] as const;

export default defineCommand({
  description:
    "The expression is CEL over request (actor, roles, action), object, oldObject and cluster; when it is\ntrue the action applies: deny refuses the change, warn lets it through with a warning, audit only\nrecords, allow admits a MilitaryGrade network exception. Every evaluation is a PolicyDecision audit entry.",
  args: { name: { description: "policy name: 1-63 of a-z, 0-9 and '-'", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    expr: { type: "string", placeholder: "CEL", description: "the condition, e.g. object.image.endsWith(':latest')" },
    action: { type: "string", placeholder: "action", description: ACTIONS.join(", ") },
    message: { type: "string", placeholder: "text", description: "what the refusal or warning says" },
    match: { type: "string", placeholder: "list", description: `changes it applies to: ${MATCHES.join(",")} (default deploy,update)` },
  },
  examples: ["enc policy add no-latest --expr \"object.image.endsWith(':latest')\" --action deny --message 'pin a tag'"],
  async run(ctx, { args, flags }) {
    if (!flags.expr) throw usageError("missing_flag", "`enc policy add` needs --expr '<CEL>'");
    if (!flags.action) throw usageError("missing_flag", `\`enc policy add\` needs --action ${ACTIONS.join("|")}`);
    if (!flags.message) throw usageError("missing_flag", "`enc policy add` needs --message '<text>'");
    const action = requireOneOf(flags.action, ACTIONS, "--action");
    const match = flags.match?.split(",").map((m) => requireOneOf(m.trim(), MATCHES, "--match"));
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { policy } = await api.post<{ policy: Policy }>(routes.policies(cluster), { name: args.name, expr: flags.expr, action, message: flags.message, ...(match ? { match } : {}) });
    if (ctx.json) return ctx.emit({ cluster, policy });
    ctx.out(`${ctx.style.ok} Added policy ${ctx.style.bold(policy.name)} to cluster ${cluster}.\n`);
    printPolicy(ctx, policy);
  },
});
