// Reading a validator-set proposal file (both CLIs): its schema, then its hash against its body,
// so nobody signs a change whose body was edited after it was proposed.
import { ValidatorSetProposal } from "./api/placement.ts";
import { hashValidatorSetBody } from "./placement-approval.ts";

export function parseValidatorSetProposal(text: string): { ok: true; value: ValidatorSetProposal } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON (${(e as Error).message})` };
  }
  const parsed = ValidatorSetProposal.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { ok: false, reason: `${i.path.join(".") || "(root)"}: ${i.message}` };
  }
  const { hash, ...body } = parsed.data.change;
  if (hashValidatorSetBody(body) !== hash) return { ok: false, reason: "change.hash does not match the change's body (edited after it was proposed?)" };
  return { ok: true, value: parsed.data };
}
