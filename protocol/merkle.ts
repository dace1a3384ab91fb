// Merkle API of PROTOCOL.md §2 (RFC 9162 §2.1 with BLAKE3; leaf data = 32 raw hash bytes).
import { bytesEqual } from "./bytes.ts";
import { hashToText, textToHash } from "./hash.ts";
import { MerkleTree, computeRoot, leafHash, nodeHash } from "./merkle-tree.ts";

export { EMPTY_ROOT, MerkleAccumulator, MerkleTree, leafHash, nodeHash } from "./merkle-tree.ts";

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return computeRoot(leaves);
}

/** Audit path for leaf `index`; O(n). Build one MerkleTree when proving many leaves. */
export function inclusionPath(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  return new MerkleTree(leaves).proof(index);
}

/** RFC 9162 §2.1.3.2. Returns false (never throws) for any malformed input. */
export function verifyInclusion(
  leafData: Uint8Array,
  index: number,
  treeSize: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  if (!(leafData instanceof Uint8Array) || !(root instanceof Uint8Array) || root.length !== 32) return false;
  if (!Array.isArray(path) || path.some((p) => !(p instanceof Uint8Array) || p.length !== 32)) return false;
  // Numbers rather than 32-bit ops: tree sizes may exceed 2^31.
  const half = (x: number) => Math.floor(x / 2);
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash(leafData);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

// ---- Text forms ("blake3:<hex>"), as receipts, blocks and proofs carry them.

export function merkleRootText(hashTexts: readonly string[]): string {
  return hashToText(merkleRoot(hashTexts.map(textToHash)));
}

export function inclusionProofText(hashTexts: readonly string[], index: number): string[] {
  return inclusionPath(hashTexts.map(textToHash), index).map(hashToText);
}

/** Text-form verifyInclusion; false (never throws) on malformed hashes too. */
export function verifyInclusionText(
  leafHashText: string,
  index: number,
  treeSize: number,
  pathTexts: readonly string[],
  rootText: string,
): boolean {
  try {
    return verifyInclusion(textToHash(leafHashText), index, treeSize, pathTexts.map(textToHash), textToHash(rootText));
  } catch {
    return false;
  }
}
