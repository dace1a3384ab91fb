import { ed25519 } from "@noble/curves/ed25519.js";
import { encodeAddress } from "../../protocol/address.ts";
import { fromHex, toHex } from "../../protocol/bytes.ts";

/**
 * A synchronous Ed25519 signer for use inside a DO's synchronous transaction: an `await`
 * there would let another request interleave between reading the chain head and writing the
 * next link. Signing is rare (one audit entry per user action, one per sealed block), so the
 * pure-JS cost is fine; the hot path (receipt verification) uses WebCrypto.
 */
export interface SyncSigner {
  address: string;
  sign(msg: Uint8Array): string; // "ed25519:" + hex
}

const cache = new Map<string, SyncSigner>();

export function syncSigner(hexSeed: string | undefined, name: string): SyncSigner {
  if (!hexSeed || !/^[0-9a-f]{64}$/i.test(hexSeed.trim())) {
    throw new Error(`${name} is missing or not a 64-hex-digit Ed25519 seed; run \`npm start\` once to generate .dev.vars, or set the Worker secret`);
  }
  const key = hexSeed.trim().toLowerCase();
  let s = cache.get(key);
  if (!s) {
    const seed = fromHex(key);
    const address = encodeAddress(ed25519.getPublicKey(seed));
    s = { address, sign: (msg) => "ed25519:" + toHex(ed25519.sign(msg, seed)) };
    cache.set(key, s);
  }
  return s;
}
