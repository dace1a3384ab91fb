// ML-DSA-65 (FIPS 204, pure ML-DSA, empty context), the post-quantum co-signature of PROTOCOL.md §15.
// Keys come from a 32-byte seed (FIPS 204 ML-DSA.KeyGen_internal(ξ)), so a secret is 64 hex digits
// like the Ed25519 ones.
//
// Two implementations, interoperable (a signature of either verifies under the other; the tests
// check both on the same vector): WebCrypto's native "ML-DSA-65" where the platform has it (workerd
// with the `webcrypto_modern_algorithms` compatibility flag, Node >= 24.7), measured ~30x faster
// than noble in workerd, and @noble/post-quantum everywhere else. Native WebCrypto is only
// asynchronous, so the synchronous signer (a Durable Object's synchronous transaction) is noble's.
// ML-DSA signing is hedged (randomized) in both: signatures differ run to run, verification is fixed.
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "./bytes.ts";

export const MLDSA_SIG_PREFIX = "ml-dsa-65:";
export const MLDSA_SIG_BYTES = 3309;
export const MLDSA_PUBLIC_KEY_BYTES = 1952;
/** 3,309 bytes = 1,103 base64 groups: exactly 4,412 characters, no padding. */
export const MLDSA_SIG_TEXT_RE = /^ml-dsa-65:[A-Za-z0-9+/]{4412}$/;
/** 1,952 bytes: 2,604 base64 characters ending in one "=". */
export const MLDSA_PUBLIC_KEY_TEXT_RE = /^[A-Za-z0-9+/]{2602}[AEIMQUYcgkosw048]=$/;

const ALG = { name: "ML-DSA-65" };

export function mldsaSigToText(sig: Uint8Array): string {
  if (sig.length !== MLDSA_SIG_BYTES) throw new Error(`ML-DSA-65 signature must be ${MLDSA_SIG_BYTES} bytes, got ${sig.length}`);
  return MLDSA_SIG_PREFIX + toBase64(sig);
}

export function isMldsaSigText(s: unknown): s is string {
  return typeof s === "string" && MLDSA_SIG_TEXT_RE.test(s);
}

export function textToMldsaSig(s: string): Uint8Array {
  if (!isMldsaSigText(s)) throw new Error("not an ML-DSA-65 signature: expected ml-dsa-65:<base64 of 3,309 bytes>");
  return fromBase64(s.slice(MLDSA_SIG_PREFIX.length));
}

export function mldsaPublicKeyToText(publicKey: Uint8Array): string {
  if (publicKey.length !== MLDSA_PUBLIC_KEY_BYTES) throw new Error(`ML-DSA-65 public key must be ${MLDSA_PUBLIC_KEY_BYTES} bytes`);
  return toBase64(publicKey);
}

export function isMldsaPublicKeyText(s: unknown): s is string {
  return typeof s === "string" && MLDSA_PUBLIC_KEY_TEXT_RE.test(s);
}

export function textToMldsaPublicKey(s: string): Uint8Array {
  if (!isMldsaPublicKeyText(s)) throw new Error("not an ML-DSA-65 public key: expected base64 of 1,952 bytes");
  return fromBase64(s);
}

// ---- backend choice

export type MldsaBackend = "webcrypto" | "noble";
export type MldsaBackendChoice = MldsaBackend | "auto";
let choice: MldsaBackendChoice = "auto";
let probed: Promise<boolean> | undefined;
let known: boolean | undefined;

/** Forces a backend ("webcrypto" fails where the platform lacks it) or restores "auto". */
export function setMldsaBackend(next: MldsaBackendChoice): void {
  if (next !== "webcrypto" && next !== "noble" && next !== "auto") throw new Error(`unknown ML-DSA backend ${next}`);
  choice = next;
}

// A native round trip (a generated pair, its public half exported and re-imported as raw bytes)
// and a signature by a key imported from a seed: an engine without ML-DSA-65, or without the
// "raw-seed"/"raw-public" formats, throws or answers false. Interoperability with noble (same
// public key from a seed, signatures verifying both ways) is what the vector tests check.
async function probe(): Promise<boolean> {
  try {
    if (typeof crypto === "undefined" || !crypto.subtle) return false;
    const subtle = crypto.subtle;
    const msg = utf8("enc/ml-dsa-65/probe");
    const pair = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    const pub = new Uint8Array((await subtle.exportKey("raw-public" as "raw", pair.publicKey)) as ArrayBuffer);
    if (pub.length !== MLDSA_PUBLIC_KEY_BYTES) return false;
    const key = await subtle.importKey("raw-public" as "raw", pub, ALG, false, ["verify"]);
    const sig = new Uint8Array(await subtle.sign(ALG, pair.privateKey, msg));
    if (sig.length !== MLDSA_SIG_BYTES || !(await subtle.verify(ALG, key, sig, msg))) return false;
    const seeded = await subtle.importKey("raw-seed" as "raw", new Uint8Array(32).fill(7), ALG, false, ["sign"]);
    return new Uint8Array(await subtle.sign(ALG, seeded, msg)).length === MLDSA_SIG_BYTES;
  } catch {
    return false;
  }
}

/** Resolves "auto" by probing WebCrypto once. */
export async function resolveMldsaBackend(): Promise<MldsaBackend> {
  if (choice !== "auto") return choice;
  if (known === undefined) known = await (probed ??= probe());
  return known ? "webcrypto" : "noble";
}

/** The backend in use: "auto" only until the first operation has probed WebCrypto. */
export function mldsaBackend(): string {
  if (choice !== "auto") return choice;
  return known === undefined ? "auto" : known ? "webcrypto" : "noble";
}

// ---- keys and signers

/** noble's key pair for a seed (its key generation costs ~10 ms; cached per seed). */
const nobleKeys = new Map<string, { publicKey: Uint8Array; secretKey: Uint8Array }>();

function nobleKeyPair(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error("ML-DSA-65 seed must be 32 bytes");
  const hex = toHex(seed);
  let kp = nobleKeys.get(hex);
  if (!kp) {
    kp = ml_dsa65.keygen(seed.slice());
    if (nobleKeys.size >= 16) nobleKeys.delete(nobleKeys.keys().next().value as string);
    nobleKeys.set(hex, kp);
  }
  return kp;
}

export function mldsaPublicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return nobleKeyPair(seed).publicKey;
}

export interface MldsaSigner {
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Promise<Uint8Array>;
}

export interface MldsaSyncSigner {
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

function seedOf(hexSeed: string): Uint8Array {
  const t = hexSeed.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(t)) throw new Error(`ML-DSA-65 seed must be 64 hex characters, got ${t.length}`);
  return fromHex(t.toLowerCase());
}

/** Synchronous (noble): for a Durable Object's synchronous transaction. */
export function mldsaSyncSignerFromSeed(seed: Uint8Array): MldsaSyncSigner {
  const { publicKey, secretKey } = nobleKeyPair(seed);
  return { publicKey, sign: (msg) => ml_dsa65.sign(msg, secretKey) };
}

export function mldsaSyncSignerFromHex(hexSeed: string): MldsaSyncSigner {
  return mldsaSyncSignerFromSeed(seedOf(hexSeed));
}

/** Native WebCrypto where available, noble otherwise (each signature picks by the current choice). */
export async function mldsaSignerFromSeed(seed32: Uint8Array): Promise<MldsaSigner> {
  const seed = seed32.slice();
  const noble = mldsaSyncSignerFromSeed(seed);
  let native: CryptoKey | undefined;
  return {
    publicKey: noble.publicKey,
    async sign(msg: Uint8Array): Promise<Uint8Array> {
      if ((await resolveMldsaBackend()) === "noble") return noble.sign(msg);
      native ??= await crypto.subtle.importKey("raw-seed" as "raw", seed, ALG, false, ["sign"]);
      return new Uint8Array(await crypto.subtle.sign(ALG, native, msg));
    },
  };
}

export function mldsaSignerFromHex(hexSeed: string): Promise<MldsaSigner> {
  return mldsaSignerFromSeed(seedOf(hexSeed));
}

// Imported verification keys, by their base64 (a verifier checks many objects by one key).
const verifyKeys = new Map<string, CryptoKey>();

/** Never throws: malformed keys or signatures simply do not verify. */
export async function mldsaVerify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== MLDSA_PUBLIC_KEY_BYTES) return false;
    if (!(sig instanceof Uint8Array) || sig.length !== MLDSA_SIG_BYTES || !(msg instanceof Uint8Array)) return false;
    if ((await resolveMldsaBackend()) === "noble") return ml_dsa65.verify(sig, msg, publicKey);
    const id = toBase64(publicKey);
    let key = verifyKeys.get(id);
    if (!key) {
      key = await crypto.subtle.importKey("raw-public" as "raw", publicKey.slice(), ALG, false, ["verify"]);
      if (verifyKeys.size >= 64) verifyKeys.delete(verifyKeys.keys().next().value as string);
      verifyKeys.set(id, key);
    }
    return await crypto.subtle.verify(ALG, key, sig, msg);
  } catch {
    return false;
  }
}
