import { createPrivateKey, sign as nodeSign, type KeyObject } from "node:crypto";
import { concatBytes, fromHex } from "../../protocol/bytes.ts";
import { mldsaSyncSignerFromHex, type MldsaSyncSigner } from "../../protocol/mldsa.ts";
import { syncSignerFromSeed, type SyncSigner } from "../../protocol/sync-signer.ts";

export type { MldsaSyncSigner, SyncSigner };

/**
 * The Worker's keys as synchronous signers, for a DO's synchronous transaction (see
 * protocol/sync-signer.ts). workerd's node:crypto (nodejs_compat) signs Ed25519 natively and
 * synchronously, about 20x faster than noble's BigInt arithmetic (1.4 ms a signature in workerd,
 * most of a block seal's and an audit entry's cost; see docs/PERFORMANCE.md). noble stays the
 * fallback where node:crypto lacks Ed25519, and the native signer must reproduce noble's
 * signature on a known message before it is used (Ed25519 is deterministic).
 */
const cache = new Map<string, SyncSigner>();
// DER PrivateKeyInfo for Ed25519 (RFC 8410) up to the 32-byte seed.
const PKCS8_PREFIX = fromHex("302e020100300506032b657004220420");
const PROBE = new TextEncoder().encode("enc/sync-signer/probe");

function nativeKey(seed: Uint8Array): KeyObject | null {
  try {
    return createPrivateKey({ key: concatBytes(PKCS8_PREFIX, seed) as unknown as Buffer, format: "der", type: "pkcs8" });
  } catch {
    return null;
  }
}

/** A native signer for `seed`, or noble's when the platform cannot sign Ed25519 natively. */
export function fastSyncSigner(seed: Uint8Array): SyncSigner {
  const noble = syncSignerFromSeed(seed);
  const key = nativeKey(seed);
  if (!key) return noble;
  const sign = (msg: Uint8Array) => new Uint8Array(nodeSign(null, msg, key));
  try {
    const a = sign(PROBE);
    const b = noble.sign(PROBE);
    if (a.length !== 64 || a.some((x, i) => x !== b[i])) return noble;
  } catch {
    return noble;
  }
  return { address: noble.address, publicKey: noble.publicKey, sign };
}

export function syncSigner(hexSeed: string | undefined, name: string): SyncSigner {
  if (!hexSeed || !/^[0-9a-f]{64}$/i.test(hexSeed.trim())) {
    throw new Error(`${name} is missing or not a 64-hex-digit Ed25519 seed; run \`npm start\` once to generate .dev.vars, or set the Worker secret`);
  }
  const key = hexSeed.trim().toLowerCase();
  let s = cache.get(key);
  if (!s) {
    s = fastSyncSigner(fromHex(key));
    cache.set(key, s);
  }
  return s;
}

const mldsaCache = new Map<string, MldsaSyncSigner>();

/**
 * The Worker's ML-DSA-65 key (PROTOCOL.md §15) as a synchronous signer, for co-signing inside a
 * DO's synchronous transaction. noble's: workerd has ML-DSA-65 natively only in (asynchronous)
 * WebCrypto, and its node:crypto parses ML-DSA keys but cannot sign with them. Key generation
 * from the seed (~100 ms in workerd) runs once per key and isolate.
 */
export function mldsaSyncSigner(hexSeed: string | undefined, name: string): MldsaSyncSigner {
  if (!hexSeed || !/^[0-9a-f]{64}$/i.test(hexSeed.trim())) {
    throw new Error(`${name} is missing or not a 64-hex-digit ML-DSA-65 seed; run \`npm start\` once to add it to .dev.vars, or set the Worker secret`);
  }
  const key = hexSeed.trim().toLowerCase();
  let s = mldsaCache.get(key);
  if (!s) {
    s = mldsaSyncSignerFromHex(key);
    mldsaCache.set(key, s);
  }
  return s;
}
