import { routes } from "../../protocol/routes.ts";
import { readFileSync } from "node:fs";
import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { publicApi } from "./registry-client.ts";

export default defineCommand({
  args: { proof: { description: "a proof file from `enc zk prove`, or - for stdin (default -)" } },
  examples: ["enc zk prove did:bpi:alice | enc zk verify"],
  async run(ctx, { args }) {
    const file = args.proof ?? "-";
    let proof: unknown;
    try {
      proof = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
    } catch (err) {
      throw usageError("bad_proof", `cannot read a JSON proof from ${file === "-" ? "stdin" : file}: ${(err as Error).message}`);
    }
    const r = await publicApi(ctx).post<{ verified: true; did: string; kid: string }>(routes.rootzkVerify(), { proof });
    if (ctx.json) return ctx.emit(r);
    ctx.out(`${ctx.style.ok} Proof verified: the prover holds ${ctx.style.bold(r.kid)} of ${r.did}.`);
  },
});
