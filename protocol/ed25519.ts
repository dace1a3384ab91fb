// Ed25519 (RFC 8032, pure). WebCrypto on the hot path (native in workerd and Node); noble where
// crypto.subtle lacks Ed25519, or when forced for benchmarks. Both give identical signatures.
// noble is imported only when used: its import and first key cost a CLI process ~0.1 s of CPU
// (a test run starts ~400 of them). The synchronous `publicKeyFromSeed` is in sync-signer.ts.
import { encodeAddress, decodeAddress } from "./address.ts";
import { buf, fromHex, randomBytes, toHex } from "./bytes.ts";
import { cachedVerifyKey, verifyKey, signKey, publicKeyOfSeed, webCryptoAvailable } from "./ed25519-webcrypto.ts";

type Noble = (typeof import("@noble/curves/ed25519.js"))["ed25519"];
let nobleEd: Noble | undefined;
async function noble(): Promise<Noble> {
  return (nobleEd ??= (await import("@noble/curves/ed25519.js")).ed25519);
}

export interface Signer {
  address: string;
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Promise<Uint8Array>;
}

export type Ed25519Backend = "webcrypto" | "noble";
export type Ed25519BackendChoice = Ed25519Backend | "auto";

let choice: Ed25519BackendChoice = "auto";

/** Forces a backend ("webcrypto" fails where the platform lacks it) or restores "auto". */
export function setEd25519Backend(next: Ed25519BackendChoice): void {
  if (next !== "webcrypto" && next !== "noble" && next !== "auto") throw new Error(`unknown Ed25519 backend ${next}`);
  choice = next;
}

/** The backend in use: "auto" only until the first operation has probed WebCrypto. */
export function ed25519Backend(): string {
  if (choice !== "auto") return choice;
  const ok = webCryptoAvailable.known;
  return ok === undefined ? "auto" : ok ? "webcrypto" : "noble";
}

/** Resolves "auto" by probing WebCrypto once. */
export async function resolveEd25519Backend(): Promise<Ed25519Backend> {
  if (choice !== "auto") return choice;
  return (await webCryptoAvailable.probe()) ? "webcrypto" : "noble";
}

export function generateSeed(): Uint8Array {
  return randomBytes(32);
}

/** The public key of a 32-byte seed (RFC 8032 §5.1.5), natively where WebCrypto has Ed25519. */
export async function publicKeyOf(seed: Uint8Array): Promise<Uint8Array> {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error("Ed25519 seed must be 32 bytes");
  return (await resolveEd25519Backend()) === "webcrypto" ? publicKeyOfSeed(seed) : (await noble()).getPublicKey(seed);
}

export async function signerFromSeed(seed32: Uint8Array): Promise<Signer> {
  const publicKey = await publicKeyOf(seed32);
  const seed = seed32.slice(); // the caller may wipe or reuse its buffer
  const address = encodeAddress(publicKey);
  // Import up front so the first signature does not pay for it (and a bad platform fails early).
  if ((await resolveEd25519Backend()) === "webcrypto") await signKey(seed);
  return {
    address,
    publicKey,
    async sign(msg: Uint8Array): Promise<Uint8Array> {
      if ((await resolveEd25519Backend()) === "noble") return (await noble()).sign(msg, seed);
      const key = await signKey(seed);
      return new Uint8Array(await crypto.subtle.sign("Ed25519", key, buf(msg)));
    },
  };
}

export async function signerFromHex(hexSeed: string): Promise<Signer> {
  const seed = fromHex(hexSeed.trim());
  if (seed.length !== 32) throw new Error(`Ed25519 seed must be 64 hex characters, got ${hexSeed.trim().length}`);
  return signerFromSeed(seed);
}

/** Never throws: malformed keys or signatures simply do not verify. */
export async function verifySignature(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
    if (!(sig instanceof Uint8Array) || sig.length !== 64 || !(msg instanceof Uint8Array)) return false;
    // Known backend and cached key: no await before the verification itself (a notary verifies
    // batches of hundreds; each await is a turn of the microtask queue).
    const backend = choice === "auto" ? (webCryptoAvailable.known === undefined ? await resolveEd25519Backend() : webCryptoAvailable.known ? "webcrypto" : "noble") : choice;
    if (backend === "noble") {
      // zip215 off: RFC 8032 strictness, as OpenSSL (and so WebCrypto) applies it.
      return (await noble()).verify(sig, msg, publicKey, { zip215: false });
    }
    const hex = toHex(publicKey);
    const key = cachedVerifyKey(hex) ?? (await verifyKey(publicKey, hex));
    return await crypto.subtle.verify("Ed25519", key, buf(sig), buf(msg));
  } catch {
    return false;
  }
}

export async function verifyWithAddress(address: string, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  let publicKey: Uint8Array;
  try {
    publicKey = decodeAddress(address);
  } catch {
    return false;
  }
  return verifySignature(publicKey, msg, sig);
}
