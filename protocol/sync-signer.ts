// Synchronous Ed25519 signing (noble), for a caller that must not await between reading a chain
// head and writing the next link: a Durable Object's synchronous transaction, where an `await`
// would let another request interleave. Signatures equal the async Signer's (Ed25519 is
// deterministic).
import { ed25519 } from "@noble/curves/ed25519.js";
import { encodeAddress } from "./address.ts";

export interface SyncSigner {
  address: string;
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

/** The public key of a 32-byte seed, synchronously (noble). Async callers: `publicKeyOf` in ed25519.ts. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error("Ed25519 seed must be 32 bytes");
  return ed25519.getPublicKey(seed);
}

export function syncSignerFromSeed(seed32: Uint8Array): SyncSigner {
  const publicKey = publicKeyFromSeed(seed32);
  const seed = seed32.slice(); // the caller may wipe or reuse its buffer
  return { address: encodeAddress(publicKey), publicKey, sign: (msg) => ed25519.sign(msg, seed) };
}
