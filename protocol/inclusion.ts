// Inclusion proofs as served by GET /v1/receipts/{hash}: a receipt hash bound to a LogBlock.
import { MerkleTree } from "./merkle-tree.ts";
import { verifyInclusionText } from "./merkle.ts";
import { hashToText, textToHash } from "./hash.ts";
import type { InclusionProof } from "./schemas.ts";
import type { VerifyResult } from "./signing.ts";

interface BlockRef {
  cluster: string;
  app: string;
  height: number;
  count: number;
  merkle_root: string;
}

/** Proofs for every receipt of a block, in leaf order, from one tree. */
export function buildInclusionProofs(block: Omit<BlockRef, "count" | "merkle_root">, receiptHashes: readonly string[]): InclusionProof[] {
  const tree = new MerkleTree(receiptHashes.map(textToHash));
  return receiptHashes.map((_, i) => ({
    cluster: block.cluster,
    app: block.app,
    height: block.height,
    leaf_index: i,
    tree_size: receiptHashes.length,
    path: tree.proof(i).map(hashToText),
  }));
}

/**
 * Checks that `receiptHash` is leaf `proof.leaf_index` of `block`. The block's own signature is
 * checked separately (verifyLogBlock); this binds the proof to that block.
 */
export function verifyInclusionProof(receiptHash: string, proof: InclusionProof, block: BlockRef): VerifyResult {
  if (proof.cluster !== block.cluster || proof.app !== block.app || proof.height !== block.height) {
    return { ok: false, reason: `proof is for ${proof.cluster}/${proof.app}#${proof.height}, not block ${block.cluster}/${block.app}#${block.height}` };
  }
  if (proof.tree_size !== block.count) {
    return { ok: false, reason: `proof tree_size ${proof.tree_size} differs from block count ${block.count}` };
  }
  if (!verifyInclusionText(receiptHash, proof.leaf_index, proof.tree_size, proof.path, block.merkle_root)) {
    return { ok: false, reason: `receipt ${receiptHash} is not leaf ${proof.leaf_index} under merkle_root ${block.merkle_root}` };
  }
  return { ok: true };
}
