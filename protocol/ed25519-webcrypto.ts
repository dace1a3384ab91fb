// WebCrypto key handling for Ed25519. Importing a key costs more than the verification itself,
// so imported keys are cached (bounded, least recently used evicted first).
import { buf, concatBytes, fromBase64Url, fromHex } from "./bytes.ts";

const ALG = { name: "Ed25519" };
// DER PrivateKeyInfo for Ed25519 (RFC 8410) up to the 32-byte seed.
const PKCS8_PREFIX = fromHex("302e020100300506032b657004220420");
const MAX_CACHED = 512;

// Caching resolved keys (not promises) keeps workerd from sharing pending promises across requests.
const verifyKeys = new Map<string, CryptoKey>();
const signKeys = new WeakMap<Uint8Array, CryptoKey>();

/** The cached key for `hex`, marked most recently used; undefined when not imported yet. */
export function cachedVerifyKey(hex: string): CryptoKey | undefined {
  const hit = verifyKeys.get(hex);
  if (hit) {
    verifyKeys.delete(hex);
    verifyKeys.set(hex, hit);
  }
  return hit;
}

export async function verifyKey(publicKey: Uint8Array, hex: string): Promise<CryptoKey> {
  const hit = cachedVerifyKey(hex);
  if (hit) return hit;
  const key = await crypto.subtle.importKey("raw", publicKey.slice(), ALG, false, ["verify"]);
  verifyKeys.set(hex, key);
  if (verifyKeys.size > MAX_CACHED) verifyKeys.delete(verifyKeys.keys().next().value as string);
  return key;
}

/** Keyed by the signer's own seed copy, so the key lives exactly as long as the signer. */
export async function signKey(seed: Uint8Array): Promise<CryptoKey> {
  let key = signKeys.get(seed);
  if (!key) {
    key = await crypto.subtle.importKey("pkcs8", buf(concatBytes(PKCS8_PREFIX, seed)), ALG, false, ["sign"]);
    signKeys.set(seed, key);
  }
  return key;
}

/**
 * The public key of `seed` from WebCrypto: the PKCS#8 key imported extractable for this call
 * only and read back as a JWK (`x`), so no pure-JS scalar multiplication runs.
 */
export async function publicKeyOfSeed(seed: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("pkcs8", buf(concatBytes(PKCS8_PREFIX, seed)), ALG, true, ["sign"]);
  const { x } = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
  if (!x) throw new Error("WebCrypto gave an Ed25519 JWK without x");
  return fromBase64Url(x);
}

// RFC 8032 §7.1 test 1: empty message.
const KAT_PUB = fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const KAT_SIG = fromHex(
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
);

async function probe(): Promise<boolean> {
  try {
    if (typeof crypto === "undefined" || !crypto.subtle) return false;
    const subtle = crypto.subtle;
    const key = await subtle.importKey("raw", buf(KAT_PUB), ALG, false, ["verify"]);
    return await subtle.verify("Ed25519", key, buf(KAT_SIG), new Uint8Array(0));
  } catch {
    return false;
  }
}

export const webCryptoAvailable = {
  known: undefined as boolean | undefined,
  async probe(): Promise<boolean> {
    if (this.known === undefined) this.known = await probe();
    return this.known;
  },
};

/** Test hook: cached verification keys. */
export function cachedVerifyKeyCount(): number {
  return verifyKeys.size;
}
