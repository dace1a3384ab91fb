import { defineCommand } from "../lib/command.ts";
import { proveWithWallet, requireDid } from "./registry-client.ts";

export default defineCommand({
  description:
    "Gets a single-use challenge from the resolver (unless --challenge is given) and makes a\n" +
    "Schnorr proof over ristretto255 (domain/resolver/ZK.md). The proof reveals nothing about the\n" +
    "key; it is good once, within about 5 minutes. Check it with `enc zk verify`.",
  args: { did: { description: "the DID (did:bpi, did:key, did:web) whose key your wallet holds", required: true } },
  flags: {
    kid: { type: "string", placeholder: "id", description: "the verification method (default: the one holding your key)" },
    challenge: { type: "string", placeholder: "hex", description: "a challenge you were given (64 hex)" },
  },
  examples: ["enc zk prove did:bpi:alice > proof.json"],
  async run(ctx, { args, flags }) {
    const proof = await proveWithWallet(ctx, requireDid(args.did), flags.kid, flags.challenge);
    // The proof is data either way: JSON on stdout, ready for a pipe or a file.
    ctx.emit(proof);
  },
});
