import type { ValidatorSet } from "../../protocol/api/placement.ts";
import { hashValidatorSetBody, validatorSetBody } from "../../protocol/placement-approval.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { requireAddress } from "../lib/values.ts";
import { writeProposal } from "../lib/validator-set-file.ts";

const list = (s: string | undefined) => (s ?? "").split(",").map((v) => v.trim()).filter(Boolean).map((a) => requireAddress(a));

export default defineCommand({
  description:
    "Writes the next epoch of the validator set as a proposal FILE with no signature yet: the current set\n" +
    "with --add and --remove applied (or exactly --validators), and --quorum (default: the current k,\n" +
    "at most the new size). Each validator of the CURRENT set signs it with `enc-agent validators sign FILE`;\n" +
    "once k have, `enc validators submit FILE` (admin) makes it the set. Nothing changes before submit.",
  flags: {
    ...CLUSTER_FLAG,
    add: { type: "string", placeholder: "bpi1…,…", description: "validators to add" },
    remove: { type: "string", placeholder: "bpi1…,…", description: "validators to remove" },
    validators: { type: "string", placeholder: "bpi1…,…", description: "the whole new set instead of --add/--remove" },
    quorum: { type: "string", placeholder: "k", description: "approvals a placement needs under the new set" },
    file: { type: "string", short: "f", placeholder: "FILE", description: "where to write the proposal (required)" },
  },
  examples: ["enc validators propose --remove bpi1… --quorum 2 -f epoch2.json"],
  async run(ctx, { flags }) {
    if (!flags.file) throw usageError("missing_flag", "--file is required", "The proposal file the validators sign.");
    if (flags.validators !== undefined && (flags.add !== undefined || flags.remove !== undefined)) throw usageError("conflicting_flags", "give --validators, or --add/--remove, not both");
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const { validator_set: cur } = await api.get<{ validator_set: ValidatorSet | null }>(routes.validatorSet(cluster));
    if (!cur) throw new CLIError("not_consensus", `cluster ${cluster} does not place by consensus: it has no validator set`);
    let next: string[];
    if (flags.validators !== undefined) next = list(flags.validators);
    else {
      const drop = new Set(list(flags.remove));
      for (const d of drop) if (!cur.validators.includes(d)) throw usageError("bad_value", `--remove ${d}: not a validator of epoch ${cur.epoch}`);
      next = [...cur.validators.filter((v) => !drop.has(v)), ...list(flags.add).filter((a) => !cur.validators.includes(a))];
    }
    if (new Set(next).size !== next.length) throw usageError("bad_value", "a validator is named twice");
    if (next.length === 0) throw usageError("bad_value", "the new set would have no validator");
    const quorum = flags.quorum !== undefined ? Number(flags.quorum) : Math.min(cur.quorum, next.length);
    if (!Number.isInteger(quorum) || quorum < 1 || quorum > next.length) throw usageError("bad_quorum", `--quorum must be 1..${next.length} (the new set's size), got ${flags.quorum}`);
    const body = validatorSetBody(cluster, cur.epoch + 1, quorum, next, cur.hash);
    const change = { ...body, hash: hashValidatorSetBody(body) };
    writeProposal(flags.file, { change, signatures: [] });
    if (ctx.json) return ctx.emit({ cluster, file: flags.file, change, needs: cur.quorum, signers: cur.validators });
    ctx.out(`Wrote ${flags.file}: epoch ${change.epoch}, quorum ${quorum} of ${next.length} (change ${change.hash}).`);
    ctx.out(`It needs ${cur.quorum} signature(s) of epoch ${cur.epoch}'s validators: \`enc-agent validators sign ${flags.file} --data-dir DIR\` on each, then \`enc validators submit ${flags.file}\`.`);
  },
});
