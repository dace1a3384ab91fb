// QLOCK session binding: a keyed BLAKE3 MAC binding a wallet, a host, a path and a time window.
// Exact construction in QLOCK.md:
//   window = floor(unix_seconds / windowS)
//   mac    = BLAKE3-keyed(key32, UTF8(JCS({ "v": 1, "wallet": wallet|null, "host": host, "path": path, "window": window })))
//   token  = "qlock1:" + hex(mac)
import { blake3 as blake3Noble } from "@noble/hashes/blake3.js";
import { bytesEqual, fromHex, toHex, utf8 } from "../../protocol/bytes.ts";
import { canonicalize } from "../../protocol/jcs.ts";
import { toIso } from "../../protocol/time.ts";

export const QLOCK_ALG = "blake3-keyed" as const;
export const QLOCK_PREFIX = "qlock1:";
export const QLOCK_DEFAULT_WINDOW_S = 300;
const TOKEN_RE = /^qlock1:[0-9a-f]{64}$/;
const KEY_CONTEXT = "enc 2026 qlock v1 session-binding key";

export interface QlockSubject {
  /** the requesting wallet's bpi1… address, or null when the request names none */
  wallet: string | null;
  /** the name's authority, lower case: host, or host:port when the name has a port */
  host: string;
  /** the name's path as parsed ("/" at least for httpcg) */
  path: string;
  /** current time: a Date or unix milliseconds */
  now: Date | number;
  /** window length in seconds, default 300 */
  windowS?: number;
}

export interface QlockBinding {
  token: string;
  alg: typeof QLOCK_ALG;
  window_start: string;
  window_end: string;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError("QLOCK key must be 32 bytes");
}

function windowLength(windowS: number | undefined): number {
  const w = windowS ?? QLOCK_DEFAULT_WINDOW_S;
  if (!Number.isSafeInteger(w) || w <= 0) throw new RangeError("QLOCK windowS must be a positive integer");
  return w;
}

export function qlockWindow(now: Date | number, windowS = QLOCK_DEFAULT_WINDOW_S): number {
  const ms = typeof now === "number" ? now : now.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("QLOCK now must be a finite time");
  return Math.floor(Math.floor(ms / 1000) / windowLength(windowS));
}

/** The 32-byte MAC for one window. */
export function qlockMac(key: Uint8Array, s: { wallet: string | null; host: string; path: string; window: number }): Uint8Array {
  checkKey(key);
  const msg = canonicalize({ v: 1, wallet: s.wallet, host: s.host, path: s.path, window: s.window });
  return blake3Noble(utf8(msg), { key });
}

/**
 * The Worker secret (a string) → the 32-byte QLOCK key: 64 hex characters are used as is; any other
 * secret goes through BLAKE3's derive_key mode with the context string above.
 */
export function qlockKeyFromSecret(secret: string): Uint8Array {
  if (/^[0-9a-fA-F]{64}$/.test(secret)) return fromHex(secret);
  if (secret.length < 16) throw new RangeError("QLOCK secret is too short (16 characters at least)");
  return blake3Noble(utf8(secret), { context: utf8(KEY_CONTEXT) });
}

export function qlockBind(key: Uint8Array, s: QlockSubject): QlockBinding {
  const windowS = windowLength(s.windowS);
  const window = qlockWindow(s.now, windowS);
  const mac = qlockMac(key, { wallet: s.wallet, host: s.host, path: s.path, window });
  return {
    token: QLOCK_PREFIX + toHex(mac),
    alg: QLOCK_ALG,
    window_start: toIso(window * windowS * 1000),
    window_end: toIso((window + 1) * windowS * 1000),
  };
}

/** True when `token` binds these inputs in the current window or one within skewWindows of it. */
export function qlockVerify(key: Uint8Array, token: unknown, s: QlockSubject & { skewWindows?: number }): boolean {
  checkKey(key);
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return false;
  const skew = s.skewWindows ?? 1;
  if (!Number.isSafeInteger(skew) || skew < 0 || skew > 16) throw new RangeError("QLOCK skewWindows must be 0..16");
  const given = fromHex(token.slice(QLOCK_PREFIX.length));
  const current = qlockWindow(s.now, windowLength(s.windowS));
  let ok = false;
  for (let w = current - skew; w <= current + skew; w++) {
    // No early exit: every candidate window costs the same.
    ok = bytesEqual(qlockMac(key, { wallet: s.wallet, host: s.host, path: s.path, window: w }), given) || ok;
  }
  return ok;
}
