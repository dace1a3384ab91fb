// Checks of user-given values, done before any request so mistakes come back as usage errors.
import { isAddress } from "../../protocol/address.ts";
import { isHashText } from "../../protocol/hash.ts";
import { usageError } from "./errors.ts";

export function intFlag(value: string | undefined, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`;
    throw usageError("bad_flag_value", `--${flag} must be a whole number ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function requireAddress(value: string, what = "address"): string {
  if (!isAddress(value)) throw usageError("bad_address", `${JSON.stringify(value)} is not a wallet address (${what} must be bpi1… bech32m, 62 characters)`);
  return value;
}

export function requireHash(value: string): string {
  if (!isHashText(value)) throw usageError("bad_hash", `${JSON.stringify(value)} is not a receipt hash (expected blake3:<64 lowercase hex>)`);
  return value;
}

export function requireOneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError("bad_value", `${what} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
