// The witness's identity: a key name and an Ed25519 seed, in a JSON file of mode 0600 (like the
// wallet). Its public form is the cosignature/v1 vkey that logs and verifiers configure.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fromHex, randomBytes, toHex } from "../../../protocol/bytes.ts";
import { publicKeyFromSeed } from "../../../protocol/sync-signer.ts";
import { parseWitnessVkey, witnessVkey, type WitnessKey } from "../../../protocol/c2sp/cosignature.ts";
import { isValidKeyName } from "../../../protocol/c2sp/note.ts";
import { CLIError, usageError } from "../errors.ts";
import { writeFileAtomic } from "../atomic-file.ts";

export interface WitnessIdentity {
  name: string;
  seed: Uint8Array;
  key: WitnessKey;
}

export function createWitnessKey(file: string, name: string, force = false): WitnessIdentity {
  if (!isValidKeyName(name)) throw usageError("bad_witness_name", `invalid witness name ${JSON.stringify(name)}`, "A key name has no spaces and no '+', e.g. witness.example.com/w1.");
  if (!force && existsSync(file)) throw new CLIError("witness_key_exists", `${file} already exists`, 1, "Pass --force to replace it (its key is lost), or use another --key.");
  const seed = randomBytes(32);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, JSON.stringify({ version: 1, name, seed: toHex(seed), created: new Date().toISOString() }, null, 2) + "\n", 0o600);
  return identity(name, seed);
}

export function readWitnessKey(file: string): WitnessIdentity {
  let raw: { name?: unknown; seed?: unknown };
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CLIError("no_witness_key", `no witness key at ${file}`, 1, "Create one with `enc witness keygen --name <name> --key <file>`.");
    }
    throw new CLIError("bad_witness_key", `${file} is not a witness key file: ${(e as Error).message}`);
  }
  if (typeof raw.name !== "string" || !isValidKeyName(raw.name) || typeof raw.seed !== "string" || !/^[0-9a-f]{64}$/.test(raw.seed)) {
    throw new CLIError("bad_witness_key", `${file} is not a witness key file (needs "name" and a 64-hex "seed")`);
  }
  return identity(raw.name, fromHex(raw.seed));
}

function identity(name: string, seed: Uint8Array): WitnessIdentity {
  return { name, seed, key: parseWitnessVkey(witnessVkey(name, publicKeyFromSeed(seed))) };
}
