// The proposal file between `enc validators propose`, each validator's `enc-agent validators sign`
// and `enc validators submit`.
import { readFileSync } from "node:fs";
import type { ValidatorSetProposal } from "../../protocol/api/placement.ts";
import { parseValidatorSetProposal } from "../../protocol/validator-set-proposal.ts";
import { CLIError } from "./errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";

export function readProposal(file: string): ValidatorSetProposal {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CLIError("bad_file", `${file}: ${(e as Error).message}`, 2);
  }
  const p = parseValidatorSetProposal(text);
  if (!p.ok) throw new CLIError("bad_file", `${file}: ${p.reason}`, 2);
  return p.value;
}

export function writeProposal(file: string, p: ValidatorSetProposal): void {
  writeFileAtomic(file, JSON.stringify(p, null, 2) + "\n");
}
