// The deterministic cage's randomness: one 32-byte seed per run, derived from what defines the
// run, and committed to (never revealed) in receipts.
//
//   seed       = BLAKE3( JCS({ "v": 1, "image": <manifest digest>, "command": [argv…],
//                              "env": {declared env}, "seed": <cage.seed or ""> }) )
//   commitment = "blake3:" + hex( BLAKE3(seed) )
//   stream     = BLAKE3 derive_key mode, context "ENC cage urandom v1", key material = seed,
//                extended output (XOF) read from offset 0 onwards
import { blake3 } from "@noble/hashes/blake3.js";
import { hashToText } from "../../protocol/hash.ts";
import { canonicalize } from "../../protocol/jcs.ts";

export const URANDOM_CONTEXT = "ENC cage urandom v1";

export interface SeedInput {
  image: string;
  command: string[];
  env: Record<string, string>;
  seed?: string;
}

export function deriveSeed(input: SeedInput): Uint8Array {
  const doc = { v: 1, image: input.image, command: input.command, env: input.env, seed: input.seed ?? "" };
  return blake3(new TextEncoder().encode(canonicalize(doc)));
}

/** What a receipt's `seed` field carries. */
export function seedCommitment(seed: Uint8Array): string {
  return hashToText(blake3(seed));
}

/** The endless byte stream a deterministic cage reads from /dev/urandom. */
export class EntropyStream {
  private readonly xof;
  private position = 0;

  constructor(seed: Uint8Array) {
    this.xof = blake3.create({ context: new TextEncoder().encode(URANDOM_CONTEXT) }).update(seed);
  }

  get offset(): number {
    return this.position;
  }

  next(n: number): Uint8Array {
    this.position += n;
    return this.xof.xof(n);
  }

  /** Advances to `offset` (used to resume feeding after an agent restart). */
  skipTo(offset: number): void {
    while (this.position < offset) this.next(Math.min(1 << 20, offset - this.position));
  }
}
