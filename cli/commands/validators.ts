import type { ValidatorSet, ValidatorSetChange } from "../../protocol/api/placement.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";

export default defineCommand({
  description:
    "The validator set of a consensus cluster (epoch, quorum k, validators) and the changes that led to it,\n" +
    "each signed by k validators of the set before it. Change it with `enc validators propose`, then each\n" +
    "validator's `enc-agent validators sign`, then `enc validators submit`.",
  flags: { ...CLUSTER_FLAG },
  examples: ["enc validators --cluster prod"],
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const res = await api.get<{ validator_set: ValidatorSet | null; changes: ValidatorSetChange[] }>(routes.validatorSet(cluster));
    if (ctx.json) return ctx.emit({ cluster, ...res });
    const set = res.validator_set;
    if (!set) return ctx.out(`Cluster ${cluster} does not place by consensus (no validator set).`);
    ctx.out(`epoch ${set.epoch}: quorum ${set.quorum} of ${set.validators.length}  (set ${set.hash})`);
    for (const v of set.validators) ctx.out(`  ${v}`);
    for (const c of res.changes) {
      ctx.out(ctx.style.dim(`epoch ${c.change.epoch}: ${c.change.quorum} of ${c.change.validators.length}, signed by ${c.signatures.map((s) => s.validator).join(", ")}`));
    }
  },
});
