// BLAKE3 for inputs of at most one chunk (1024 bytes), without allocation per call.
// Why not @noble/hashes for everything: its per-call setup costs ~3 µs, which dominates the
// 33- and 65-byte hashes of Merkle trees (a 100k-leaf root would take ~0.7 s). Receipts and
// Merkle nodes fit in one chunk; longer inputs go to noble (see hash.ts).
// Correctness is pinned by differential tests against noble for every length 0..1024.

export const SMALL_MAX = 1024;

const IV = Uint32Array.of(
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
);
const CHUNK_START = 1;
const CHUNK_END = 2;
const PARENT = 4;
const ROOT = 8;

// Module-level scratch: JS is single-threaded and nothing here awaits, so sharing is safe.
// Inputs are assembled in `input` (one chunk plus room to zero-pad the last block) and read as
// little-endian words in place.
const cv = new Uint32Array(8);
const input = new Uint8Array(SMALL_MAX + 64);
const words = new Uint32Array(input.buffer);

// The chunk counter of the next compression (low word; inputs stay far below 4 TiB).
let counter = 0;
// Chaining values of completed subtrees while hashing a multi-chunk input (54 levels cover 2^64 bytes).
const stack = new Uint32Array(8 * 54);

/** The word view above assumes a little-endian host; hash.ts falls back to noble otherwise. */
export const SMALL_SUPPORTED = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

// One BLAKE3 compression of `block` into `cv`; the chunk counter is 0 for a single chunk.
// Unrolled over locals because typed-array traffic made a looped version 3x slower.
function compress(w: number, blockLen: number, flags: number): void {
  let m0 = words[w], m1 = words[w + 1], m2 = words[w + 2], m3 = words[w + 3], m4 = words[w + 4];
  let m5 = words[w + 5], m6 = words[w + 6], m7 = words[w + 7], m8 = words[w + 8], m9 = words[w + 9];
  let m10 = words[w + 10], m11 = words[w + 11], m12 = words[w + 12], m13 = words[w + 13];
  let m14 = words[w + 14], m15 = words[w + 15];
  let v0 = cv[0] | 0, v1 = cv[1] | 0, v2 = cv[2] | 0, v3 = cv[3] | 0;
  let v4 = cv[4] | 0, v5 = cv[5] | 0, v6 = cv[6] | 0, v7 = cv[7] | 0;
  let v8 = IV[0] | 0, v9 = IV[1] | 0, v10 = IV[2] | 0, v11 = IV[3] | 0;
  let v12 = counter | 0, v13 = 0, v14 = blockLen | 0, v15 = flags | 0;
  let t = 0;
  for (let r = 0; r < 7; r++) {
    v0 = (v0 + v4 + m0) | 0; v12 ^= v0; v12 = (v12 >>> 16) | (v12 << 16);
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 12) | (v4 << 20);
    v0 = (v0 + v4 + m1) | 0; v12 ^= v0; v12 = (v12 >>> 8) | (v12 << 24);
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 7) | (v4 << 25);
    v1 = (v1 + v5 + m2) | 0; v13 ^= v1; v13 = (v13 >>> 16) | (v13 << 16);
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 12) | (v5 << 20);
    v1 = (v1 + v5 + m3) | 0; v13 ^= v1; v13 = (v13 >>> 8) | (v13 << 24);
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 7) | (v5 << 25);
    v2 = (v2 + v6 + m4) | 0; v14 ^= v2; v14 = (v14 >>> 16) | (v14 << 16);
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 12) | (v6 << 20);
    v2 = (v2 + v6 + m5) | 0; v14 ^= v2; v14 = (v14 >>> 8) | (v14 << 24);
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 7) | (v6 << 25);
    v3 = (v3 + v7 + m6) | 0; v15 ^= v3; v15 = (v15 >>> 16) | (v15 << 16);
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 12) | (v7 << 20);
    v3 = (v3 + v7 + m7) | 0; v15 ^= v3; v15 = (v15 >>> 8) | (v15 << 24);
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 7) | (v7 << 25);
    v0 = (v0 + v5 + m8) | 0; v15 ^= v0; v15 = (v15 >>> 16) | (v15 << 16);
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 12) | (v5 << 20);
    v0 = (v0 + v5 + m9) | 0; v15 ^= v0; v15 = (v15 >>> 8) | (v15 << 24);
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 7) | (v5 << 25);
    v1 = (v1 + v6 + m10) | 0; v12 ^= v1; v12 = (v12 >>> 16) | (v12 << 16);
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 12) | (v6 << 20);
    v1 = (v1 + v6 + m11) | 0; v12 ^= v1; v12 = (v12 >>> 8) | (v12 << 24);
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 7) | (v6 << 25);
    v2 = (v2 + v7 + m12) | 0; v13 ^= v2; v13 = (v13 >>> 16) | (v13 << 16);
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 12) | (v7 << 20);
    v2 = (v2 + v7 + m13) | 0; v13 ^= v2; v13 = (v13 >>> 8) | (v13 << 24);
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 7) | (v7 << 25);
    v3 = (v3 + v4 + m14) | 0; v14 ^= v3; v14 = (v14 >>> 16) | (v14 << 16);
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 12) | (v4 << 20);
    v3 = (v3 + v4 + m15) | 0; v14 ^= v3; v14 = (v14 >>> 8) | (v14 << 24);
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 7) | (v4 << 25);
    if (r === 6) break;
    t = m0; m0 = m2; m2 = m3; m3 = m10; m10 = m12; m12 = m9; m9 = m11; m11 = m5; m5 = t;
    t = m1; m1 = m6; m6 = m4; m4 = m7; m7 = m13; m13 = m14; m14 = m15; m15 = m8; m8 = t;
  }
  cv[0] = v0 ^ v8; cv[1] = v1 ^ v9; cv[2] = v2 ^ v10; cv[3] = v3 ^ v11;
  cv[4] = v4 ^ v12; cv[5] = v5 ^ v13; cv[6] = v6 ^ v14; cv[7] = v7 ^ v15;
}

// Hashes input[0..total) (total ≤ SMALL_MAX) into out[outOffset..+32).
function finish(total: number, out: Uint8Array, outOffset: number): void {
  const blocks = Math.max(1, Math.ceil(total / 64));
  input.fill(0, total, blocks * 64);
  cv.set(IV);
  counter = 0;
  for (let b = 0; b < blocks; b++) {
    const last = b === blocks - 1;
    compress(b * 16, last ? total - 64 * b : 64, (b === 0 ? CHUNK_START : 0) | (last ? CHUNK_END | ROOT : 0));
  }
  for (let i = 0; i < 8; i++) {
    const w = cv[i];
    const o = outOffset + i * 4;
    out[o] = w;
    out[o + 1] = w >>> 8;
    out[o + 2] = w >>> 16;
    out[o + 3] = w >>> 24;
  }
}

// A parent node: stack[at..at+8) as the left child, `cv` as the right, into `cv`.
function parent(at: number, flags: number): void {
  for (let i = 0; i < 8; i++) {
    words[i] = stack[at + i];
    words[8 + i] = cv[i];
  }
  cv.set(IV);
  counter = 0;
  compress(0, 64, PARENT | flags);
}

/**
 * BLAKE3 of any length (the spec's chunk tree, as its reference implementation builds it), on the
 * same unrolled compression: @noble/hashes runs ~8 MB/s here, which made hashing a 30 KB audit
 * entry cost more than signing it.
 */
export function blake3Any(data: Uint8Array): Uint8Array {
  const n = data.length;
  const chunks = Math.max(1, Math.ceil(n / SMALL_MAX));
  let depth = 0;
  for (let c = 0; c < chunks - 1; c++) {
    input.set(data.subarray(c * SMALL_MAX, (c + 1) * SMALL_MAX), 0);
    cv.set(IV);
    counter = c;
    for (let b = 0; b < 16; b++) compress(b * 16, 64, (b === 0 ? CHUNK_START : 0) | (b === 15 ? CHUNK_END : 0));
    // Each trailing zero bit of the chunk count completes a subtree: merge it with the stack top.
    for (let total = c + 1; (total & 1) === 0; total >>>= 1) parent(--depth * 8, 0);
    stack.set(cv, depth++ * 8);
  }
  const off = (chunks - 1) * SMALL_MAX;
  const len = n - off;
  input.set(data.subarray(off), 0);
  const blocks = Math.max(1, Math.ceil(len / 64));
  input.fill(0, len, blocks * 64);
  cv.set(IV);
  counter = chunks - 1;
  for (let b = 0; b < blocks; b++) {
    const last = b === blocks - 1;
    compress(b * 16, last ? len - 64 * b : 64, (b === 0 ? CHUNK_START : 0) | (last ? CHUNK_END | (depth === 0 ? ROOT : 0) : 0));
  }
  counter = 0;
  while (depth > 0) {
    depth--;
    parent(depth * 8, depth === 0 ? ROOT : 0);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = cv[i];
    out[i * 4] = w;
    out[i * 4 + 1] = w >>> 8;
    out[i * 4 + 2] = w >>> 16;
    out[i * 4 + 3] = w >>> 24;
  }
  return out;
}

/** BLAKE3 of `parts` concatenated (total ≤ 1024 bytes), written into `out` at `outOffset`. */
export function blake3SmallInto(parts: readonly Uint8Array[], out: Uint8Array, outOffset = 0): void {
  let total = 0;
  for (const p of parts) {
    if (total + p.length > SMALL_MAX) throw new RangeError("blake3SmallInto: input exceeds one chunk (1024 bytes)");
    input.set(p, total);
    total += p.length;
  }
  finish(total, out, outOffset);
}

/** RFC 9162 leaf hash BLAKE3(0x00 || data), data ≤ 1023 bytes. */
export function blake3LeafInto(data: Uint8Array, out: Uint8Array, outOffset: number): void {
  if (data.length >= SMALL_MAX) throw new RangeError("blake3LeafInto: leaf data exceeds one chunk");
  input[0] = 0;
  input.set(data, 1);
  finish(data.length + 1, out, outOffset);
}

/** RFC 9162 node hash BLAKE3(0x01 || l || r) of two 32-byte hashes read at offsets (no subarrays). */
export function blake3NodeInto(l: Uint8Array, lOff: number, r: Uint8Array, rOff: number, out: Uint8Array, outOffset: number): void {
  input[0] = 1;
  for (let i = 0; i < 32; i++) {
    input[1 + i] = l[lOff + i];
    input[33 + i] = r[rOff + i];
  }
  finish(65, out, outOffset);
}

export function blake3Small(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  blake3SmallInto([data], out);
  return out;
}
