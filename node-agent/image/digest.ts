// OCI content digests: parsing and checking. Only algorithms node:crypto has natively are accepted.
import { createHash, type Hash } from "node:crypto";
import { ImageError } from "./errors.ts";

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export interface ParsedDigest {
  algorithm: "sha256" | "sha512";
  hex: string;
}

export function parseDigest(digest: string): ParsedDigest {
  if (!DIGEST_RE.test(digest)) {
    throw new ImageError("unsupported", `unsupported or malformed digest ${JSON.stringify(digest.slice(0, 140))} (want sha256:<64 hex> or sha512:<128 hex>)`);
  }
  const [algorithm, hex] = digest.split(":") as ["sha256" | "sha512", string];
  return { algorithm, hex };
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

export function hasherFor(digest: string): Hash {
  return createHash(parseDigest(digest).algorithm);
}

export function digestOf(bytes: Uint8Array, algorithm: "sha256" | "sha512" = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** Throws unless `bytes` hashes to `expected` (and has `size` bytes when a size is given). */
export function verifyBytes(what: string, expected: string, bytes: Uint8Array, size?: number): void {
  if (size !== undefined && bytes.length !== size) {
    throw new ImageError("size_mismatch", `${what} ${expected} size mismatch: descriptor says ${size} bytes, got ${bytes.length}`);
  }
  const got = digestOf(bytes, parseDigest(expected).algorithm);
  if (got !== expected) throw new ImageError("digest_mismatch", `${what} ${expected} digest mismatch: got ${got}`);
}
