// Multikey (W3C Controlled Identifiers §2.2.2) for Ed25519 and X25519 public keys:
//   publicKeyMultibase = "z" + base58btc( multicodec varint prefix || 32-byte key )
// with prefix 0xed 0x01 (ed25519-pub) → "z6Mk…", 0xec 0x01 (x25519-pub) → "z6LS…".
import { ed25519 } from "@noble/curves/ed25519.js";
import { base58 } from "@scure/base";
import { concatBytes } from "../bytes.ts";
import { ResolveError } from "./errors.ts";

export const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01);
export const X25519_PUB_PREFIX = Uint8Array.of(0xec, 0x01);
const MAX_MULTIBASE_LENGTH = 128;

export function encodeEd25519Multikey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new ResolveError("invalidPublicKeyLength", "an Ed25519 public key is 32 bytes", "publicKey");
  return `z${base58.encode(concatBytes(ED25519_PUB_PREFIX, publicKey))}`;
}

export function encodeX25519Multikey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new ResolveError("invalidPublicKeyLength", "an X25519 public key is 32 bytes", "publicKey");
  return `z${base58.encode(concatBytes(X25519_PUB_PREFIX, publicKey))}`;
}

/** Ed25519 public key of a "z6Mk…" multibase value; throws ResolveError (invalidPublicKey*). */
export function decodeEd25519Multikey(value: unknown, field = "publicKeyMultibase"): Uint8Array {
  if (typeof value !== "string" || value.length < 2 || value.length > MAX_MULTIBASE_LENGTH)
    throw new ResolveError("invalidPublicKey", "publicKeyMultibase must be a multibase string", field);
  if (value[0] !== "z") throw new ResolveError("invalidPublicKey", "publicKeyMultibase must use base58btc ('z')", field);
  let raw: Uint8Array;
  try {
    raw = base58.decode(value.slice(1));
  } catch {
    throw new ResolveError("invalidPublicKey", "publicKeyMultibase is not valid base58btc", field);
  }
  if (raw.length < 2 || raw[0] !== 0xed || raw[1] !== 0x01)
    throw new ResolveError("invalidPublicKeyType", "publicKeyMultibase is not an Ed25519 key (multicodec 0xed01)", field);
  if (raw.length !== 34) throw new ResolveError("invalidPublicKeyLength", "an Ed25519 public key is 32 bytes", field);
  const key = raw.slice(2);
  if (!isValidEd25519PublicKey(key)) throw new ResolveError("invalidPublicKey", "not a valid Ed25519 point", field);
  return key;
}

/** Any supported Multikey value: Ed25519 (0xed01) or X25519 (0xec01), 32-byte keys. */
export function decodeMultikey(value: unknown, field = "publicKeyMultibase"): { type: "Ed25519" | "X25519"; key: Uint8Array } {
  if (typeof value === "string" && value.startsWith("z6LS")) {
    let raw: Uint8Array | undefined;
    try {
      raw = base58.decode(value.slice(1));
    } catch {
      raw = undefined;
    }
    if (raw && raw.length === 34 && raw[0] === 0xec && raw[1] === 0x01) return { type: "X25519", key: raw.slice(2) };
  }
  return { type: "Ed25519", key: decodeEd25519Multikey(value, field) };
}

/** A canonical encoding (RFC 8032 §5.1.3) of a curve point that is not of small order. */
export function isValidEd25519PublicKey(key: Uint8Array): boolean {
  try {
    const p = ed25519.Point.fromBytes(key, false);
    return !p.isSmallOrder();
  } catch {
    return false;
  }
}
