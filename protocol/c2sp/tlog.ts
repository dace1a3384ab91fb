// RFC 6962 / RFC 9162 §2.1 Merkle tree with SHA-256, as C2SP logs and Go's sumdb/tlog use it.
// Proof shapes are pure functions of the sizes (lists of leaf ranges), so the same algorithm
// serves an in-memory list of leaf hashes and a store of subtree hashes (DO SQLite, tiles).
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes } from "../bytes.ts";

export const HASH_SIZE = 32;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** A synchronous SHA-256 over the concatenation of its parts. */
export type Sha256Parts = (...parts: Uint8Array[]) => Uint8Array;

const nobleParts: Sha256Parts = (...parts) => sha256(parts.length === 1 ? parts[0] : concatBytes(...parts));
let sha256Parts: Sha256Parts = nobleParts;

/**
 * Replaces the SHA-256 behind the tree hashes (e.g. a native one inside a Durable Object, where
 * noble's JavaScript cost 100 µs a leaf). Refused unless it agrees with noble on a probe.
 */
export function setTlogSha256(fn: Sha256Parts | null): boolean {
  if (!fn) return ((sha256Parts = nobleParts), true);
  const probe = [LEAF_PREFIX, new TextEncoder().encode("enc/tlog/sha256-probe")];
  try {
    if (!bytesEqual(fn(...probe), nobleParts(...probe))) return false;
  } catch {
    return false;
  }
  sha256Parts = fn;
  return true;
}

/** SHA-256(0x00 || entry) */
export function tlogLeafHash(entry: Uint8Array): Uint8Array {
  return sha256Parts(LEAF_PREFIX, entry);
}

/** SHA-256(0x01 || left || right) */
export function tlogNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Parts(NODE_PREFIX, left, right);
}

/** MTH({}) = SHA-256("") */
export const TLOG_EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** The largest power of two strictly less than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPow2(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

/** A leaf range [lo, hi) whose Merkle hash a proof needs. */
export type Range = readonly [lo: number, hi: number];

/** RFC 9162 §2.1.3.1 PATH(m, D[0:n]) as the ranges whose hashes form the audit path, leaf-side first. */
export function inclusionRanges(index: number, n: number): Range[] {
  checkSize(n, "tree size");
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) throw new RangeError(`leaf index ${index} not in a tree of ${n}`);
  const out: Range[] = [];
  const path = (m: number, lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (m < k) {
      path(m, lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      path(m - k, lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  path(index, 0, n);
  return out;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) as ranges; empty for m = 0 or m = n. */
export function consistencyRanges(m: number, n: number): Range[] {
  checkSize(m, "old size");
  checkSize(n, "new size");
  if (m > n) throw new RangeError(`old size ${m} exceeds new size ${n}`);
  const out: Range[] = [];
  if (m === 0 || m === n) return out;
  const sub = (m2: number, lo: number, hi: number, b: boolean): void => {
    const size = hi - lo;
    if (m2 === size) {
      if (!b) out.push([lo, hi]);
      return;
    }
    const k = splitPoint(size);
    if (m2 <= k) {
      sub(m2, lo, lo + k, b);
      out.push([lo + k, hi]);
    } else {
      sub(m2 - k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  sub(m, 0, n, true);
  return out;
}

/**
 * Hash of the complete subtree at `level` and `index` (leaves index·2^level … (index+1)·2^level − 1),
 * as a log stores them. May be async (tiles fetched over HTTP) or sync (DO SQLite).
 */
export type HashReader = (level: number, index: number) => Uint8Array | Promise<Uint8Array>;

/** MTH(D[lo:hi]) from stored complete-subtree hashes: decompose into aligned powers of two. */
export async function rangeHash(lo: number, hi: number, read: HashReader): Promise<Uint8Array> {
  if (hi <= lo) throw new RangeError(`empty range [${lo}, ${hi})`);
  const size = hi - lo;
  if (isPow2(size) && lo % size === 0) {
    const level = Math.round(Math.log2(size));
    const h = await read(level, lo / size);
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw new Error(`stored hash ${level}/${lo / size} missing`);
    return h;
  }
  const k = splitPoint(size);
  return tlogNodeHash(await rangeHash(lo, lo + k, read), await rangeHash(lo + k, hi, read));
}

/** Root of the first `n` leaves from stored hashes. */
export async function treeRoot(n: number, read: HashReader): Promise<Uint8Array> {
  checkSize(n, "tree size");
  return n === 0 ? TLOG_EMPTY_ROOT : rangeHash(0, n, read);
}

export async function proveInclusion(index: number, n: number, read: HashReader): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [lo, hi] of inclusionRanges(index, n)) out.push(await rangeHash(lo, hi, read));
  return out;
}

export async function proveConsistency(m: number, n: number, read: HashReader): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [lo, hi] of consistencyRanges(m, n)) out.push(await rangeHash(lo, hi, read));
  return out;
}

// ---- In memory: a list of leaf hashes (tests, small logs, a verifier that read every entry).

function memoryHash(leafHashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leafHashes[lo];
  const k = splitPoint(hi - lo);
  return tlogNodeHash(memoryHash(leafHashes, lo, lo + k), memoryHash(leafHashes, lo + k, hi));
}

export function rootOfLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  return leafHashes.length === 0 ? TLOG_EMPTY_ROOT : memoryHash(leafHashes, 0, leafHashes.length);
}

export function inclusionProofOf(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  return inclusionRanges(index, leafHashes.length).map(([lo, hi]) => memoryHash(leafHashes, lo, hi));
}

export function consistencyProofOf(leafHashes: readonly Uint8Array[], m: number, n = leafHashes.length): Uint8Array[] {
  if (n > leafHashes.length) throw new RangeError(`new size ${n} exceeds ${leafHashes.length} leaves`);
  return consistencyRanges(m, n).map(([lo, hi]) => memoryHash(leafHashes, lo, hi));
}

// ---- Verification (never throws; false for any malformed input).

const half = (x: number) => Math.floor(x / 2);
const odd = (x: number) => x % 2 === 1;
const okHashes = (hs: unknown): hs is Uint8Array[] =>
  Array.isArray(hs) && hs.every((h) => h instanceof Uint8Array && h.length === HASH_SIZE);

/** RFC 9162 §2.1.3.2, taking the leaf hash. */
export function verifyTlogInclusion(
  leafHash: Uint8Array,
  index: number,
  n: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(n) || index < 0 || index >= n) return false;
  if (!okHashes([leafHash, root]) || !okHashes(proof)) return false;
  let fn = index;
  let sn = n - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = tlogNodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = tlogNodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/** RFC 9162 §2.1.4.2. m = 0 is consistent with anything (empty proof); m = n needs equal roots. */
export function verifyTlogConsistency(
  m: number,
  n: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!okHashes([oldRoot, newRoot]) || !okHashes(proof)) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = isPow2(m) ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = tlogNodeHash(c, fr);
      sr = tlogNodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = tlogNodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

// ---- Appending to a store of complete-subtree hashes.

export interface StoredHash {
  level: number;
  index: number;
  hash: Uint8Array;
}

/**
 * The subtree hashes that become complete when leaf `index` (0-based) is appended: the leaf
 * itself, then one per level while the new subtree is a right child. `read` gives the left
 * siblings, already stored.
 */
export async function hashesForAppend(index: number, leafHash: Uint8Array, read: HashReader): Promise<StoredHash[]> {
  checkSize(index, "leaf index");
  const out: StoredHash[] = [{ level: 0, index, hash: leafHash }];
  let h = leafHash;
  let i = index;
  let level = 0;
  while (odd(i)) {
    const left = await read(level, i - 1);
    h = tlogNodeHash(left, h);
    i = half(i);
    level++;
    out.push({ level, index: i, hash: h });
  }
  return out;
}

// ---- Go's tlog "stored hash" numbering (one sequence over every level, in the order a log
// writes them), for interoperating with stores laid out like Go's.

/** Go's tlog.StoredHashIndex. */
export function storedHashIndex(level: number, n: number): number {
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  let i = 0;
  for (; n > 0; n = half(n)) i += n;
  return i + level;
}

function trailingZeros(x: number): number {
  let z = 0;
  while (x > 0 && x % 2 === 0) {
    x /= 2;
    z++;
  }
  return z;
}

/** Go's tlog.SplitStoredHashIndex: the inverse of storedHashIndex. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  let n = half(index);
  let indexN = storedHashIndex(0, n);
  for (;;) {
    const x = indexN + 1 + trailingZeros(n + 1);
    if (x > index) break;
    n++;
    indexN = x;
  }
  const level = index - indexN;
  return { level, n: Math.floor(n / 2 ** level) };
}

/** Go's tlog.StoredHashCount: how many hashes a log of n leaves stores. */
export function storedHashCount(n: number): number {
  if (n === 0) return 0;
  let count = storedHashIndex(0, n - 1) + 1;
  for (let i = n - 1; odd(i); i = half(i)) count++;
  return count;
}

// ---- Synchronous variants, for a Durable Object's synchronous transaction (no await between
// reading the tree's edge and writing the next hashes).

export type SyncHashReader = (level: number, index: number) => Uint8Array;

export function rangeHashSync(lo: number, hi: number, read: SyncHashReader): Uint8Array {
  if (hi <= lo) throw new RangeError(`empty range [${lo}, ${hi})`);
  const size = hi - lo;
  if (isPow2(size) && lo % size === 0) {
    const level = Math.round(Math.log2(size));
    const h = read(level, lo / size);
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw new Error(`stored hash ${level}/${lo / size} missing`);
    return h;
  }
  const k = splitPoint(size);
  return tlogNodeHash(rangeHashSync(lo, lo + k, read), rangeHashSync(lo + k, hi, read));
}

export function treeRootSync(n: number, read: SyncHashReader): Uint8Array {
  checkSize(n, "tree size");
  return n === 0 ? TLOG_EMPTY_ROOT : rangeHashSync(0, n, read);
}

export function proveInclusionSync(index: number, n: number, read: SyncHashReader): Uint8Array[] {
  return inclusionRanges(index, n).map(([lo, hi]) => rangeHashSync(lo, hi, read));
}

export function proveConsistencySync(m: number, n: number, read: SyncHashReader): Uint8Array[] {
  return consistencyRanges(m, n).map(([lo, hi]) => rangeHashSync(lo, hi, read));
}

/**
 * The right edge of a growing tree (one hash per set bit of its size): the root of every prefix in
 * O(log n) as leaves are pushed, for a verifier that checks each LogBlock's `tlog` binding.
 */
export class TlogAccumulator {
  private readonly edge: Uint8Array[] = []; // edge[k]: complete subtree of 2^k leaves, or undefined
  size = 0;

  push(leafHash: Uint8Array): void {
    let h = leafHash;
    let k = 0;
    while (this.edge[k]) {
      h = tlogNodeHash(this.edge[k], h);
      delete this.edge[k];
      k++;
    }
    this.edge[k] = h;
    this.size++;
  }

  root(): Uint8Array {
    let r: Uint8Array | undefined;
    for (let k = 0; k < this.edge.length; k++) {
      const h = this.edge[k];
      if (!h) continue;
      r = r ? tlogNodeHash(h, r) : h;
    }
    return r ?? TLOG_EMPTY_ROOT;
  }
}
