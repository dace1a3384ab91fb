import { blake3 } from "@noble/hashes/blake3.js";

/*
 * Rendezvous (highest-random-weight) hashing. Every (key, node) pair gets a pseudo-random
 * number; a key goes to the node with the highest one. Removing a node moves only the keys that
 * node held (≈ 1/n of them); adding one takes ≈ 1/(n+1) from the others.
 *
 * A BLAKE3 per pair would cost 1,000 hashes per placement on a 1,000-node cluster, far below the
 * throughput target. So BLAKE3 runs once per key and once per node id (cached), each truncated to
 * two 32-bit words, and the pair's number is MurmurHash3_x86_32 of those four words (key words
 * first, seed 0). Key and node words are already uniformly random, and Murmur's finalizer mixes
 * all 128 input bits into each output bit, so the ranking per key is an independent shuffle.
 *
 *     key(w, r)  = BLAKE3("enc/hrw/key\0" ‖ w ‖ "\0" ‖ r)[0..8]   (two little-endian u32)
 *     node(id)   = BLAKE3("enc/hrw/node\0" ‖ id)[0..8]
 *     h          = murmur3_32(key ‖ node) ∈ [0, 2^32),  u = (h + ½) / 2^32 ∈ (0, 1)
 *     score      = u               when every node weighs 1
 *                = w / (w − ln u)  otherwise
 *
 * The weighted form is x / (1 + x) of the classic weighted-HRW score x = −w / ln u, under which a
 * node wins a key with probability w / Σw; the map only brings x into (0, 1) without reordering.
 * Since −ln u ≥ 1 − u, w / (w + 1 − u) bounds it from above for free: the scan skips the logarithm
 * for nodes whose bound cannot beat the current top N.
 */

const C1 = 0xcc9e2d51 | 0;
const C2 = 0x1b873593;
const encoder = new TextEncoder();

function premix(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function round(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function words(text: string): [number, number] {
  const d = blake3(encoder.encode(text));
  return [(d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)), (d[4] | (d[5] << 8) | (d[6] << 16) | (d[7] << 24))];
}

/** Murmur state after the two key words: computed once per placement. */
export function keyState(workload: string, replicaId: string): number {
  const [k0, k1] = words(`enc/hrw/key\0${workload}\0${replicaId}`);
  return round(round(0, premix(k0)), premix(k1));
}

// Node words never change for an id, so a bounded memo keeps the per-node BLAKE3 off the hot path
// across calls without turning into a leak on clusters that churn through ids.
const nodeCache = new Map<string, [number, number]>();
const NODE_CACHE_MAX = 200_000;

/** The node's two BLAKE3 words, already through Murmur's per-word premix. */
export function nodeWords(id: string): [number, number] {
  let w = nodeCache.get(id);
  if (w === undefined) {
    const [n0, n1] = words(`enc/hrw/node\0${id}`);
    w = [premix(n0), premix(n1)];
    if (nodeCache.size >= NODE_CACHE_MAX) nodeCache.clear();
    nodeCache.set(id, w);
  }
  return w;
}

/** murmur3_32 of key ‖ node, as an unsigned 32-bit integer. */
export function pairHash(keySt: number, m0: number, m1: number): number {
  let h = round(round(keySt, m0), m1) ^ 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hrwScore(hash: number, weight: number, uniform: boolean): number {
  const u = (hash + 0.5) / 4294967296;
  return uniform ? u : weight / (weight - Math.log(u));
}

/** Score of one (workload, replica, node) pair, as the scheduler computes it. */
export function rendezvousScore(workload: string, replicaId: string, nodeId: string, weight?: number): number {
  const [m0, m1] = nodeWords(nodeId);
  return hrwScore(pairHash(keyState(workload, replicaId), m0, m1), weight ?? 1, weight === undefined);
}
