// rootzk zero-knowledge authentication: a non-interactive Schnorr proof of knowledge (RFC 8235
// shape, Fiat–Shamir) of the secret scalar of a DID's Ed25519 key, computed in ristretto255.
// The exact statement, transcript and checks are in ZK.md; in short:
//   a  = RFC 8032 secret scalar of the Ed25519 seed (SHA-512(seed)[0..32], clamped) mod L
//   A  = the Ed25519 public point, required to lie in the prime-order subgroup, taken as its
//        ristretto255 element (that map is a group isomorphism there, so A = a·G in ristretto255)
//   V  = v·G,  c = SHA-512(transcript) mod L,  r = v − a·c mod L;   verify V == r·G + c·A
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, fromHex, randomBytes, toHex, utf8 } from "../bytes.ts";
import { isDid } from "./did.ts";

export const ZK_DOMAIN = "enc/rootzk-zk/v1";
export const ZK_DEFAULT_WINDOW_S = 300;
const RP = ristretto255.Point;
const G = RP.BASE;
const L = ed25519.Point.Fn.ORDER;
const HEX64 = /^[0-9a-f]{64}$/;
const PROOF_KEYS = ["challenge", "commitment", "did", "kid", "response", "v", "window"];

export interface ZkProof {
  v: 1;
  did: string;
  /** the verification method id of the key ("did:bpi:alice#key-1") */
  kid: string;
  /** 32-byte verifier challenge, 64 lowercase hex */
  challenge: string;
  /** floor(unix_s / windowS) at proving time */
  window: number;
  /** V, ristretto255 encoding, 64 lowercase hex */
  commitment: string;
  /** r, 32-byte little-endian scalar < L, 64 lowercase hex */
  response: string;
}

export type ZkVerifyResult = { ok: true } | { ok: false; reason: string };

function lp(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length, false);
  out.set(b, 4);
  return out;
}

function u64be(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

const mod = (x: bigint) => ((x % L) + L) % L;

/** c = SHA-512( lp(domain) || G || V || A || lp(did) || lp(kid) || challenge || u64be(window) ) mod L */
export function challengeScalar(V: Uint8Array, A: Uint8Array, did: string, kid: string, challenge: Uint8Array, window: number): bigint {
  const t = concatBytes(lp(utf8(ZK_DOMAIN)), G.toBytes(), V, A, lp(utf8(did)), lp(utf8(kid)), challenge, u64be(window));
  return mod(bytesToNumberLE(sha512(t)));
}

export function zkWindow(nowMs: number, windowS = ZK_DEFAULT_WINDOW_S): number {
  if (!Number.isFinite(nowMs) || !Number.isSafeInteger(windowS) || windowS <= 0) throw new RangeError("bad time or window");
  return Math.floor(Math.floor(nowMs / 1000) / windowS);
}

/** The ristretto255 element of an Ed25519 public key, or null unless it is a canonical point of order L. */
export function statementPoint(publicKey: Uint8Array): InstanceType<typeof RP> | null {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return null;
  try {
    const p = ed25519.Point.fromBytes(publicKey, false);
    if (p.is0() || p.isSmallOrder() || !p.isTorsionFree()) return null;
    return new RP(p);
  } catch {
    return null;
  }
}

export interface ProveInput {
  did: string;
  kid: string;
  challenge: string;
  /** Date or unix milliseconds */
  now: Date | number;
  windowS?: number;
}

/** Proves knowledge of the secret of the Ed25519 key with this 32-byte seed. */
export function prove(seed32: Uint8Array, input: ProveInput): ZkProof {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) throw new TypeError("seed must be 32 bytes");
  if (!isDid(input.did)) throw new TypeError("did must be a DID");
  if (typeof input.kid !== "string" || input.kid.length === 0) throw new TypeError("kid is required");
  if (!HEX64.test(input.challenge)) throw new TypeError("challenge must be 64 lowercase hex");
  const ext = ed25519.utils.getExtendedPublicKey(seed32);
  const a = mod(ext.scalar);
  const A = statementPoint(ext.pointBytes);
  if (!A) throw new Error("unreachable: an Ed25519 public key is in the prime-order subgroup");
  const Ab = A.toBytes();
  const window = zkWindow(typeof input.now === "number" ? input.now : input.now.getTime(), input.windowS);
  const ch = fromHex(input.challenge);
  const bound = concatBytes(lp(utf8(input.did)), lp(utf8(input.kid)), ch, u64be(window));
  let v = 0n;
  while (v === 0n) {
    // Hedged nonce: secret prefix, fresh randomness and the statement (safe if either source fails).
    v = mod(bytesToNumberLE(sha512(concatBytes(lp(utf8(`${ZK_DOMAIN}/nonce`)), ext.prefix, randomBytes(32), Ab, bound))));
  }
  const Vb = G.multiply(v).toBytes();
  const c = challengeScalar(Vb, Ab, input.did, input.kid, ch, window);
  const r = mod(v - a * c);
  return { v: 1, did: input.did, kid: input.kid, challenge: input.challenge, window, commitment: toHex(Vb), response: toHex(numberToBytesLE(r, 32)) };
}

export interface VerifyInput {
  expectedChallenge: string;
  now: Date | number;
  windowS?: number;
  /** windows of clock skew accepted either side; default 1 */
  skewWindows?: number;
}

export function verify(proof: unknown, publicKey32: Uint8Array, input: VerifyInput): ZkVerifyResult {
  const fail = (reason: string): ZkVerifyResult => ({ ok: false, reason });
  if (typeof proof !== "object" || proof === null || Array.isArray(proof)) return fail("proof must be an object");
  const p = proof as Record<string, unknown>;
  const keys = Object.keys(p).sort();
  if (keys.length !== PROOF_KEYS.length || keys.some((k, i) => k !== PROOF_KEYS[i])) return fail(`proof has exactly the fields ${PROOF_KEYS.join(", ")}`);
  if (p.v !== 1) return fail("unsupported proof version");
  if (!isDid(p.did)) return fail("did is not a DID");
  if (typeof p.kid !== "string" || p.kid.length === 0 || p.kid.length > 4096) return fail("kid is not a string");
  if (typeof p.challenge !== "string" || !HEX64.test(p.challenge)) return fail("challenge is not 64 lowercase hex");
  if (!Number.isSafeInteger(p.window) || (p.window as number) < 0) return fail("window is not a non-negative integer");
  if (typeof p.commitment !== "string" || !HEX64.test(p.commitment)) return fail("commitment is not 64 lowercase hex");
  if (typeof p.response !== "string" || !HEX64.test(p.response)) return fail("response is not 64 lowercase hex");
  if (p.challenge !== input.expectedChallenge) return fail("challenge does not match the issued one");
  const skew = input.skewWindows ?? 1;
  const current = zkWindow(typeof input.now === "number" ? input.now : input.now.getTime(), input.windowS);
  const window = p.window as number;
  if (window < current - skew) return fail("proof window has expired");
  if (window > current + skew) return fail("proof window is in the future");
  const A = statementPoint(publicKey32);
  if (!A) return fail("public key is not a canonical Ed25519 point of prime order");
  let V: InstanceType<typeof RP>;
  try {
    V = RP.fromBytes(fromHex(p.commitment));
  } catch {
    return fail("commitment is not a canonical ristretto255 encoding");
  }
  if (V.is0()) return fail("commitment is the identity");
  const r = bytesToNumberLE(fromHex(p.response));
  if (r >= L) return fail("response is not a canonical scalar (>= L)");
  const c = challengeScalar(V.toBytes(), A.toBytes(), p.did as string, p.kid, fromHex(p.challenge), window);
  const rhs = G.multiplyUnsafe(r).add(A.multiplyUnsafe(c));
  return rhs.equals(V) ? { ok: true } : fail("proof does not verify");
}
