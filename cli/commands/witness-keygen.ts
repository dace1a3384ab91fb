import { defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { usageError } from "../lib/errors.ts";
import { createWitnessKey } from "../lib/witness/key.ts";

export default defineCommand({
  description:
    "Writes {name, seed} to FILE (mode 0600): the Ed25519 key a witness cosigns with (C2SP cosignature/v1).\n" +
    "Prints its vkey, the string logs and verifiers configure (`--witness VKEY`, config.witnesses).",
  flags: {
    name: { type: "string", placeholder: "NAME", description: "the witness's key name, e.g. witness.example.com/w1" },
    key: { type: "string", placeholder: "FILE", description: "where to write the key" },
    force: { type: "boolean", description: "replace an existing key file (its key is lost)" },
  },
  examples: ["enc witness keygen --name witness.example.com/w1 --key /var/lib/enc-witness/witness-key.json"],
  async run(ctx, { flags }) {
    if (!flags.name) throw usageError("missing_flag", "--name is required", "A key name identifies the witness, e.g. witness.example.com/w1.");
    if (!flags.key) throw usageError("missing_flag", "--key is required", "The file to write the witness key to.");
    const id = createWitnessKey(flags.key, flags.name, flags.force);
    if (ctx.json) return ctx.emit({ name: id.name, vkey: id.key.vkey, path: flags.key });
    ctx.out(`${ctx.style.ok} Created a witness key.\n`);
    ctx.out(formatPairs([["Name", id.name], ["Vkey", ctx.style.bold(id.key.vkey)], ["File", `${flags.key} (mode 0600)`]], ctx.style));
  },
});
