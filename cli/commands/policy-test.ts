import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { routes } from "../../protocol/routes.ts";
import type { PolicyTestResult } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { formatPairs } from "../lib/table.ts";

const KEYS = ["request", "object", "oldObject", "cluster"];

export default defineCommand({
  description:
    "Evaluates the policy on a document without changing or recording anything. The file (JSON or YAML)\nholds { request, object, oldObject, cluster }; what it leaves out is filled as a real change would be\n(your request, this cluster). A file without any of those keys is taken as the object.",
  args: { name: { description: "the policy", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    file: { type: "string", short: "f", placeholder: "doc", description: "the input document (JSON or YAML), - for stdin" },
  },
  examples: ["enc policy test no-latest -f workload.yaml"],
  async run(ctx, { args, flags }) {
    if (!flags.file) throw usageError("missing_flag", "`enc policy test` needs -f <document>");
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(flags.file === "-" ? 0 : flags.file, "utf8"));
    } catch (err) {
      throw new CLIError("bad_file", `cannot read ${flags.file} as JSON or YAML: ${(err as Error).message}`);
    }
    const isInput = !!doc && typeof doc === "object" && !Array.isArray(doc) && Object.keys(doc).some((k) => KEYS.includes(k));
    const input = isInput ? doc : { object: doc };
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { decision } = await api.post<{ decision: PolicyTestResult }>(routes.policyTest(cluster, args.name), { input });
    if (ctx.json) return ctx.emit({ cluster, decision });
    const shown = decision.result === "pass" ? ctx.style.green("pass") : decision.result === "deny" || decision.result === "error" ? ctx.style.red(decision.result) : ctx.style.yellow(decision.result);
    const pairs: [string, string][] = [
      ["Policy", `${decision.policy} (${decision.policy_hash})`],
      ["Result", shown],
      ["Value", JSON.stringify(decision.value ?? null)],
    ];
    if (decision.message && decision.result !== "pass") pairs.push(["Message", decision.message]);
    if (decision.error) pairs.push(["Error", decision.error]);
    pairs.push(["Input", decision.input_hash], ["Cost", String(decision.cost)]);
    ctx.out(formatPairs(pairs, ctx.style));
  },
});
