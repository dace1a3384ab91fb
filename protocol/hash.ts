// Hash text form and BLAKE3 entry point (PROTOCOL.md §1).
import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { SMALL_MAX, SMALL_SUPPORTED, blake3Any, blake3Small } from "./blake3-small.ts";
import { fromHex, toHex } from "./bytes.ts";
import { canonicalBytes } from "./jcs.ts";

/** "No predecessor" in every chain. */
export const GENESIS = "blake3:genesis";
export const HASH_PREFIX = "blake3:";
export const HASH_TEXT_RE = /^blake3:[0-9a-f]{64}$/;

export function blake3(data: Uint8Array): Uint8Array {
  // Receipts and Merkle nodes are under one chunk: the fast path; big audit entries the chunk tree.
  if (!SMALL_SUPPORTED) return nobleBlake3(data);
  return data.length <= SMALL_MAX ? blake3Small(data) : blake3Any(data);
}

export function hashToText(raw32: Uint8Array): string {
  if (raw32.length !== 32) throw new Error(`hashToText: expected 32 bytes, got ${raw32.length}`);
  return HASH_PREFIX + toHex(raw32);
}

export function isHashText(s: unknown): s is string {
  return typeof s === "string" && HASH_TEXT_RE.test(s);
}

/** Raw 32 bytes of a "blake3:<64 lowercase hex>" string; throws on anything else (incl. genesis). */
export function textToHash(s: string): Uint8Array {
  if (!isHashText(s)) {
    const v: unknown = s;
    const shown = typeof v === "string" ? JSON.stringify(v.slice(0, 80)) : typeof v;
    throw new Error(`not a hash: expected blake3:<64 lowercase hex>, got ${shown}`);
  }
  return fromHex(s.slice(HASH_PREFIX.length));
}

/** "blake3:" + hex(BLAKE3(JCS(value))). */
export function hashCanonical(value: unknown): string {
  return hashToText(blake3(canonicalBytes(value)));
}
