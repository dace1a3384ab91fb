// Wallet / key addresses: bech32m (BIP-350), HRP "bpi", data = 32-byte Ed25519 public key.
import { bech32, bech32m } from "@scure/base";

export const ADDRESS_HRP = "bpi";
export const ADDRESS_LENGTH = 62;
const BECH32_MAX = 90; // BIP-173 length limit

export class AddressError extends Error {
  override name = "AddressError";
}

export function encodeAddress(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new AddressError(`address data must be a 32-byte public key, got ${publicKey?.length} bytes`);
  }
  return bech32m.encode(ADDRESS_HRP, bech32m.toWords(publicKey));
}

function hrpOf(s: string): string {
  const i = s.lastIndexOf("1");
  return i < 0 ? s : s.slice(0, i);
}

// Valid addresses already decoded: a notary batch names one node a hundred times, and bech32m
// decoding cost a sixth of a receipt's verification. Bounded; callers get copies.
const decoded = new Map<string, Uint8Array>();
const MAX_DECODED = 1024;

/** Public key of a bpi1 address; throws AddressError naming the first rule it breaks. */
export function decodeAddress(addr: string): Uint8Array {
  const hit = typeof addr === "string" ? decoded.get(addr) : undefined;
  if (hit) return hit.slice();
  const key = decodeUncached(addr);
  if (decoded.size >= MAX_DECODED) decoded.clear();
  decoded.set(addr, key.slice());
  return key;
}

function decodeUncached(addr: string): Uint8Array {
  if (typeof addr !== "string") throw new AddressError("address must be a string");
  const hasLower = addr !== addr.toUpperCase();
  const hasUpper = addr !== addr.toLowerCase();
  if (hasLower && hasUpper) throw new AddressError("address mixes upper and lower case");
  // BIP-350 would accept an all-uppercase form, but addresses are identities compared as
  // strings (roles, keyids, chains): one canonical spelling per key avoids aliasing.
  if (hasUpper) throw new AddressError("address must be lowercase");
  const hrp = hrpOf(addr);
  if (hrp !== ADDRESS_HRP) {
    throw new AddressError(`address has the wrong prefix: expected HRP "${ADDRESS_HRP}", got ${JSON.stringify(hrp.slice(0, 20))}`);
  }
  if (addr.length > BECH32_MAX) {
    throw new AddressError(`address must be ${ADDRESS_LENGTH} characters, got ${addr.length}`);
  }
  let words: number[];
  try {
    words = bech32m.decode(addr as `${string}1${string}`, BECH32_MAX).words;
  } catch (err) {
    if (bech32.decodeUnsafe(addr, BECH32_MAX)) {
      throw new AddressError("address has a bech32 (BIP-173) checksum; addresses use bech32m (BIP-350)");
    }
    throw new AddressError(`address is not valid bech32m: ${(err as Error).message}`);
  }
  let data: Uint8Array;
  try {
    data = bech32m.fromWords(words);
  } catch (err) {
    throw new AddressError(`address data is badly padded: ${(err as Error).message}`);
  }
  if (data.length !== 32) {
    throw new AddressError(`address data must be a 32-byte public key, got ${data.length} bytes`);
  }
  return data;
}

export function isAddress(s: unknown): s is string {
  if (typeof s !== "string") return false;
  try {
    decodeAddress(s);
    return true;
  } catch {
    return false;
  }
}
