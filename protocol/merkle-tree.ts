// RFC 9162 §2.1 Merkle trees over BLAKE3. The "largest power of two" split is computed bottom-up
// (pair neighbours, carry an odd last node up unchanged): same tree, O(n), no recursion.
import { blake3 } from "./hash.ts";
import { SMALL_SUPPORTED, blake3LeafInto, blake3NodeInto } from "./blake3-small.ts";
import { concatBytes } from "./bytes.ts";

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** MTH({}) = BLAKE3(""). */
export const EMPTY_ROOT: Uint8Array = blake3(new Uint8Array(0));

export function leafHashInto(data: Uint8Array, out: Uint8Array, off: number): void {
  if (SMALL_SUPPORTED && data.length < 1024) blake3LeafInto(data, out, off);
  else out.set(blake3(concatBytes(LEAF, data)), off);
}

/** Node hash of the 32-byte hashes at l[lOff] and r[rOff]. */
export function nodeHashInto(l: Uint8Array, lOff: number, r: Uint8Array, rOff: number, out: Uint8Array, off: number): void {
  if (SMALL_SUPPORTED) blake3NodeInto(l, lOff, r, rOff, out, off);
  else out.set(blake3(concatBytes(NODE, l.subarray(lOff, lOff + 32), r.subarray(rOff, rOff + 32))), off);
}

export function leafHash(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  leafHashInto(data, out, 0);
  return out;
}

export function nodeHash(l: Uint8Array, r: Uint8Array): Uint8Array {
  if (l.length !== 32 || r.length !== 32) throw new RangeError("Merkle node children must be 32-byte hashes");
  const out = new Uint8Array(32);
  nodeHashInto(l, 0, r, 0, out, 0);
  return out;
}

const at = (buf: Uint8Array, i: number) => buf.subarray(i * 32, i * 32 + 32);

/** Next level up, written into `out` (may be `level` itself: each write trails its reads). */
function reduceLevel(level: Uint8Array, width: number, out: Uint8Array): number {
  const half = width >> 1;
  for (let i = 0; i < half; i++) nodeHashInto(level, 64 * i, level, 64 * i + 32, out, i * 32);
  if (width & 1) out.set(at(level, width - 1), half * 32);
  return (width + 1) >> 1;
}

/** Root of n leaves in one n·32-byte buffer, hashing in place. */
export function computeRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT.slice();
  const buf = new Uint8Array(leaves.length * 32);
  for (let i = 0; i < leaves.length; i++) leafHashInto(leaves[i], buf, i * 32);
  for (let width = leaves.length; width > 1; ) width = reduceLevel(buf, width, buf);
  return buf.slice(0, 32);
}

/** Every level kept, for many inclusion proofs from one tree (e.g. all receipts of a block). */
export class MerkleTree {
  readonly size: number;
  private readonly levels: Uint8Array[] = [];

  constructor(leaves: readonly Uint8Array[]) {
    this.size = leaves.length;
    if (this.size === 0) return;
    let level = new Uint8Array(this.size * 32);
    for (let i = 0; i < this.size; i++) leafHashInto(leaves[i], level, i * 32);
    this.levels.push(level);
    for (let width = this.size; width > 1; ) {
      const next = new Uint8Array(((width + 1) >> 1) * 32);
      width = reduceLevel(level, width, next);
      this.levels.push((level = next));
    }
  }

  root(): Uint8Array {
    return this.size === 0 ? EMPTY_ROOT.slice() : this.levels[this.levels.length - 1].slice(0, 32);
  }

  /** RFC 9162 §2.1.3.1 PATH(m, D[n]), leaf side first. */
  proof(index: number): Uint8Array[] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`leaf index ${index} out of range for a tree of ${this.size}`);
    }
    const path: Uint8Array[] = [];
    for (let lvl = 0, i = index; lvl < this.levels.length - 1; lvl++, i >>= 1) {
      const sibling = i ^ 1;
      // No sibling: this node is the odd last one, carried up without hashing.
      if (sibling < this.levels[lvl].length / 32) path.push(at(this.levels[lvl], sibling).slice());
    }
    return path;
  }
}

/** Append-only root: keeps one subtree root per set bit of the size (O(log n) memory). */
export class MerkleAccumulator {
  private stack: Uint8Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leafData: Uint8Array): void {
    let h = leafHash(leafData);
    // Each trailing 1-bit of the old size is a perfect subtree that the new leaf completes.
    for (let n = this.count; n & 1; n = Math.floor(n / 2)) h = nodeHash(this.stack.pop()!, h);
    this.stack.push(h);
    this.count++;
  }

  root(): Uint8Array {
    if (this.count === 0) return EMPTY_ROOT.slice();
    let r = this.stack[this.stack.length - 1];
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i], r);
    return r.slice();
  }
}
