import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { readWitnessKey } from "../lib/witness/key.ts";

export default defineCommand({
  description: "Prints the cosignature/v1 vkey of a witness key file (never its seed).",
  flags: {
    key: { type: "string", placeholder: "FILE", description: "the witness key file (from `enc witness keygen`)" },
  },
  async run(ctx, { flags }) {
    if (!flags.key) throw usageError("missing_flag", "--key is required", "The witness key file made by `enc witness keygen`.");
    const id = readWitnessKey(flags.key);
    if (ctx.json) return ctx.emit({ name: id.name, vkey: id.key.vkey });
    ctx.out(id.key.vkey);
  },
});
