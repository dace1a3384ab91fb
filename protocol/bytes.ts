// Byte helpers shared by workerd, Node and the CLI: no Buffer, no node: imports.
import { base64, base64urlnopad } from "@scure/base";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Decodes hex (either case). Throws on odd length or any non-hex character. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== "string") throw new TypeError("fromHex: expected a string");
  if (hex.length % 2 !== 0) throw new Error(`fromHex: odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new Error(`fromHex: invalid hex character near offset ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

const SCRATCH_MAX = 256 << 10;
let scratch = new Uint8Array(1 << 16);

/**
 * UTF-8 of `s` as a view into one shared buffer, valid only until the next call: for bytes that
 * are hashed or measured at once. A fresh Uint8Array per 25 KB audit entry (encode) cost ~100 µs
 * in workerd, mostly the allocation and the GC it drives; encodeInto a reused buffer ~3 µs.
 */
export function utf8View(s: string): Uint8Array {
  // At most 3 bytes per UTF-16 code unit. Past the cap a string gets bytes of its own: one large
  // (say, refused) input must not leave the isolate holding a buffer of its size for good.
  if (s.length * 3 > SCRATCH_MAX) return encoder.encode(s);
  if (scratch.length < s.length * 3) scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(s.length * 3, scratch.length * 2)));
  return scratch.subarray(0, encoder.encodeInto(s, scratch).written);
}

/** Strict UTF-8 decode: throws on invalid sequences instead of inserting U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Standard base64 (RFC 4648 §4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Strict standard base64 with padding; throws on anything else. */
export function fromBase64(s: string): Uint8Array {
  return base64.decode(s);
}

/** URL-safe base64 without padding (RFC 4648 §5), used for nonces. */
export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

export function fromBase64Url(s: string): Uint8Array {
  return base64urlnopad.decode(s);
}

export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: bad length ${n}`);
  const out = new Uint8Array(n);
  // getRandomValues refuses more than 65536 bytes per call.
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

/**
 * The same bytes typed as WebCrypto's BufferSource under the DOM lib (the console's page script),
 * where a plain Uint8Array may be backed by a SharedArrayBuffer. Ours never are.
 */
export const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;
