import type { ValidatorSet } from "../../protocol/api/placement.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError } from "../lib/errors.ts";
import { readProposal } from "../lib/validator-set-file.ts";

export default defineCommand({
  description:
    "Submits a signed proposal (admin): the control plane makes it the set only if k distinct validators of\n" +
    "the current set signed exactly this change and it follows the current set (next epoch, prev = its\n" +
    "hash); audited as ValidatorSetChanged. Agents follow the new set with their next desired state.",
  args: { file: { description: "the proposal, signed by k validators", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc validators submit epoch2.json"],
  async run(ctx, { args, flags }) {
    const p = readProposal(args.file);
    const cluster = ctx.cluster(flags.cluster ?? p.change.cluster);
    if (p.change.cluster !== cluster) throw new CLIError("wrong_cluster", `${args.file} changes cluster ${p.change.cluster}, not ${cluster}`, 2);
    if (p.signatures.length === 0) throw new CLIError("unsigned", `${args.file} has no signature yet: each validator runs \`enc-agent validators sign ${args.file}\``, 2);
    const api = await ctx.client();
    const { validator_set: set } = await api.post<{ validator_set: ValidatorSet }>(routes.validatorSet(cluster), p);
    if (ctx.json) return ctx.emit({ cluster, validator_set: set });
    ctx.out(`${ctx.style.ok} Validator set of ${cluster} is now epoch ${set.epoch}: quorum ${set.quorum} of ${set.validators.length}.`);
  },
});
