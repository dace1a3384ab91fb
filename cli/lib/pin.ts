// `--pin FILE`: the last signed head a verifier accepted for one chain. Verifying against it
// catches what a fresh head alone cannot: a server that rolls the chain back, or rewrites it,
// between two runs. The file advances only after a run that found no problem.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { verifyChainHead, type ChainHead, type HeadExpectation } from "../../protocol/head.ts";
import { CLIError } from "./errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";

/** The pinned head, or undefined when FILE does not exist yet (the first run pins). */
export async function readPin(file: string | undefined, want: HeadExpectation): Promise<ChainHead | undefined> {
  if (!file || !existsSync(file)) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CLIError("bad_pin", `--pin ${file} is not JSON: ${(err as Error).message}`);
  }
  // A pin is only as good as its signature: one for another chain or key would compare nonsense.
  const v = await verifyChainHead(head, want);
  if (!v.ok) throw new CLIError("bad_pin", `--pin ${file} does not hold a head of this chain: ${v.reason}`);
  return head as ChainHead;
}

export function writePin(file: string | undefined, head: unknown): void {
  if (!file) return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, JSON.stringify(head, null, 2) + "\n");
}
