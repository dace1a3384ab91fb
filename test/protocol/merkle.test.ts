import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { describe, expect, it } from "vitest";
import {
  EMPTY_ROOT, MerkleAccumulator, MerkleTree, buildInclusionProofs, concatBytes, hashToText, inclusionPath,
  merkleRoot, merkleRootText, toHex, verifyInclusion, verifyInclusionProof, verifyInclusionText,
} from "../../protocol/index.ts";

// RFC 9162 §2.1.1 and §2.1.3.1 written as literally as possible, on noble's BLAKE3.
const k = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
const refLeaf = (d: Uint8Array) => nobleBlake3(concatBytes(Uint8Array.of(0), d));
const refNode = (l: Uint8Array, r: Uint8Array) => nobleBlake3(concatBytes(Uint8Array.of(1), l, r));
function refMth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return nobleBlake3(new Uint8Array(0));
  if (d.length === 1) return refLeaf(d[0]);
  return refNode(refMth(d.slice(0, k(d.length))), refMth(d.slice(k(d.length))));
}
function refPath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s ? [...refPath(m, d.slice(0, s)), refMth(d.slice(s))] : [...refPath(m - s, d.slice(s)), refMth(d.slice(0, s))];
}
const leaves = (n: number) => Array.from({ length: n }, (_, i) => nobleBlake3(Uint8Array.of(i & 255, i >> 8, i >> 16)));
const hex = (xs: Uint8Array[]) => xs.map(toHex);

describe("merkle", () => {
  it("root and every path match the RFC 9162 definition for 0..40, 63..65 and 100 leaves", () => {
    for (const n of [...Array.from({ length: 41 }, (_, i) => i), 63, 64, 65, 100]) {
      const d = leaves(n);
      const root = merkleRoot(d);
      expect(toHex(root), `n=${n}`).toBe(toHex(refMth(d)));
      const tree = new MerkleTree(d);
      expect(toHex(tree.root())).toBe(toHex(root));
      for (let m = 0; m < n; m++) {
        const path = tree.proof(m);
        expect(hex(path), `n=${n} m=${m}`).toEqual(hex(refPath(m, d)));
        expect(hex(inclusionPath(d, m))).toEqual(hex(path));
        expect(verifyInclusion(d[m], m, n, path, root)).toBe(true);
      }
    }
  });

  it("empty tree root is BLAKE3 of the empty string", () => {
    expect(toHex(merkleRoot([]))).toBe(toHex(nobleBlake3(new Uint8Array(0))));
    expect(toHex(EMPTY_ROOT)).toBe(toHex(merkleRoot([])));
    expect(toHex(new MerkleAccumulator().root())).toBe(toHex(EMPTY_ROOT));
  });

  it("accumulator matches the batch root after every append", () => {
    const d = leaves(300);
    const acc = new MerkleAccumulator();
    for (let i = 0; i < d.length; i++) {
      acc.append(d[i]);
      expect(acc.size).toBe(i + 1);
      if (i < 40 || i % 37 === 0 || i === d.length - 1) expect(toHex(acc.root())).toBe(toHex(refMth(d.slice(0, i + 1))));
    }
  });

  it("rejects bad inclusion proofs", () => {
    const d = leaves(11);
    const root = merkleRoot(d);
    const path = inclusionPath(d, 6);
    const flipped = path.map((p, i) => (i === 1 ? Uint8Array.from(p, (b, j) => (j === 0 ? b ^ 1 : b)) : p));
    const badRoot = root.slice();
    badRoot[31] ^= 0x80;
    expect(verifyInclusion(d[6], 6, 11, path, root)).toBe(true);
    expect(verifyInclusion(d[7], 6, 11, path, root)).toBe(false); // another leaf
    expect(verifyInclusion(d[6], 5, 11, path, root)).toBe(false); // wrong index
    expect(verifyInclusion(d[6], 6, 8, path, root)).toBe(false); // wrong tree size
    expect(verifyInclusion(d[6], 6, 7, path, root)).toBe(false);
    // tree_size only fixes the path's shape (sizes 9..16 share it for leaf 6), which is why
    // verifyInclusionProof also binds tree_size to the signed block's count.
    expect(verifyInclusion(d[6], 6, 16, path, root)).toBe(true);
    expect(verifyInclusion(d[6], 6, 11, flipped, root)).toBe(false); // tampered sibling
    expect(verifyInclusion(d[6], 6, 11, path.slice(0, -1), root)).toBe(false); // too short
    expect(verifyInclusion(d[6], 6, 11, [...path, root], root)).toBe(false); // too long
    expect(verifyInclusion(d[6], 6, 11, [...path].reverse(), root)).toBe(false); // wrong order
    expect(verifyInclusion(d[6], 6, 11, path, badRoot)).toBe(false);
    expect(verifyInclusion(d[6], 11, 11, path, root)).toBe(false); // index out of range
    expect(verifyInclusion(d[6], -1, 11, path, root)).toBe(false);
    expect(verifyInclusion(d[6], 6.5, 11, path, root)).toBe(false);
    expect(verifyInclusion(d[0], 0, 0, [], EMPTY_ROOT)).toBe(false); // nothing is in an empty tree
    expect(verifyInclusion(d[6], 6, 11, [...path.slice(0, -1), new Uint8Array(31)], root)).toBe(false);
    expect(verifyInclusion(d[6], 6, 11, path, root.subarray(1))).toBe(false);
    expect(() => inclusionPath(d, 11)).toThrow(RangeError);
  });

  it("text helpers never throw on malformed hashes", () => {
    const d = leaves(3).map(hashToText);
    const root = merkleRootText(d);
    expect(verifyInclusionText(d[0], 0, 3, ["blake3:zz"], root)).toBe(false);
    expect(verifyInclusionText("nope", 0, 3, [], root)).toBe(false);
    expect(verifyInclusionText(d[2], 2, 3, [merkleRootText(d.slice(0, 2))], "blake3:genesis")).toBe(false);
    expect(() => merkleRootText(["blake3:genesis"])).toThrow();
  });

  it("inclusion proofs bind a receipt to its block", () => {
    const hashes = leaves(5).map(hashToText);
    const block = { cluster: "prod", app: "web", height: 3, count: 5, merkle_root: merkleRootText(hashes) };
    const proofs = buildInclusionProofs(block, hashes);
    for (const [i, p] of proofs.entries()) expect(verifyInclusionProof(hashes[i], p, block)).toEqual({ ok: true });
    const p = proofs[2];
    expect(verifyInclusionProof(hashes[3], p, block)).toMatchObject({ ok: false, reason: /is not leaf 2/ });
    expect(verifyInclusionProof(hashes[2], { ...p, height: 4 }, block)).toMatchObject({ ok: false, reason: /not block/ });
    expect(verifyInclusionProof(hashes[2], { ...p, app: "other" }, block)).toMatchObject({ ok: false, reason: /not block/ });
    expect(verifyInclusionProof(hashes[2], p, { ...block, count: 6 })).toMatchObject({ ok: false, reason: /tree_size/ });
  });

  it("the append-only accumulator agrees with the tree for 100k leaves", () => {
    const big = Array.from({ length: 100_000 }, (_, i) => nobleBlake3(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16)));
    const acc = new MerkleAccumulator();
    for (const l of big) acc.append(l);
    expect(toHex(acc.root())).toBe(toHex(merkleRoot(big)));
  });
});
