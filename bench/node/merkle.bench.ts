import { blake3 } from "@noble/hashes/blake3.js";
import { it } from "vitest";
import { merkleRoot } from "../../protocol/merkle.ts";
import { median, report } from "../workerd/stats.ts";

const leaves = (n: number) => Array.from({ length: n }, (_, i) => blake3(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16)));

it("Merkle roots (BLAKE3, RFC 9162) under Node", () => {
  const hundred = leaves(100);
  merkleRoot(hundred);
  const runs: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    for (let i = 0; i < 100; i++) merkleRoot(hundred);
    runs.push((performance.now() - t) / 100);
  }
  report("merkle.root_100_leaves_ms", median(runs), "ms");
  const big = leaves(100_000);
  const t = performance.now();
  merkleRoot(big);
  report("merkle.root_100k_leaves_ms", performance.now() - t, "ms");
});
