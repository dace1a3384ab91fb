import { bech32m } from "@scure/base";
import { placeMany } from "../domain/scheduler/schedule.ts";
import type { Algorithm, PlacementRequest, ReplicaType, SchedNode } from "../domain/scheduler/types.ts";

/** mulberry32: a tiny seeded PRNG, so a simulated cluster is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

/** A bpi1… address of 32 seeded bytes (shaped like a real node key's address, not one). */
function address(rnd: () => number): string {
  const key = Uint8Array.from({ length: 32 }, () => Math.floor(rnd() * 256));
  return bech32m.encode("bpi", bech32m.toWords(key));
}

/** `count` ready compute nodes in four zones with mixed sizes, features and weights, all empty. */
export function makeSimulatedCluster(count: number, seed: number): SchedNode[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: address(rnd),
    node_type: "compute",
    status: "ready" as const,
    capabilities: {
      cpu_millis: pick(rnd, [8000, 16000, 32000]),
      memory_mb: pick(rnd, [16384, 32768, 65536]),
      storage_gb: pick(rnd, [200, 500, 1000]),
      supports_determinism_cage: rnd() < 0.5,
      architectures: [pick(rnd, ["amd64", "arm64"])],
    },
    labels: { rack: `r${i % 20}` },
    zone: `zone-${"abcd"[i % 4]}`,
    weight: pick(rnd, [1, 1, 2]),
    allocated: { cpu_millis: 0, memory_mb: 0, storage_gb: 0 },
    replicas: 0,
    connections: Math.floor(rnd() * 100),
  }));
}

/** `count` replicas in workloads of 1–5: a primary, then a secondary, then read-only replicas. */
export function makeSimulatedRequests(count: number, seed: number, algorithm?: Algorithm): PlacementRequest[] {
  const rnd = seededRandom(seed ^ 0x5bd1e995);
  const out: PlacementRequest[] = [];
  for (let w = 0; out.length < count; w++) {
    const size = Math.min(count - out.length, 1 + Math.floor(rnd() * 5));
    const resources = {
      cpu_millis: 100 + 50 * Math.floor(rnd() * 19),
      memory_mb: 64 * (1 + Math.floor(rnd() * 16)),
      storage_gb: Math.floor(rnd() * 10),
    };
    for (let r = 0; r < size; r++) {
      const replicaType: ReplicaType = r === 0 ? "primary" : r === 1 ? "secondary" : "read_only";
      out.push({ workload: `wl-${w}`, replicaId: `wl-${w}-${r}`, replicaType, resources, algorithm, existing: [] });
    }
  }
  return out;
}

export interface BenchResult {
  algorithm: Algorithm;
  placements: number;
  failed: number;
  ms: number;
  perSecond: number;
}

/**
 * Time placeMany of `replicas` replicas onto a fresh `nodes`-node simulated cluster (generation
 * excluded, engine set-up included). By default an untimed batch of up to 1,000 other replicas
 * runs first, so the figure is the steady state of a long-lived Durable Object rather than the
 * JIT compiling the scan. The clock is injectable because workerd freezes performance.now()
 * between I/O; run it under Node for real numbers.
 */
export function benchPlacements(
  algorithm: Algorithm,
  replicas: number,
  nodes: number,
  opts: { seed?: number; now?: () => number; warmup?: boolean } = {},
): BenchResult {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? (() => performance.now());
  const cluster = makeSimulatedCluster(nodes, seed);
  const requests = makeSimulatedRequests(replicas, seed, algorithm);
  if (opts.warmup ?? true) placeMany(makeSimulatedRequests(Math.min(replicas, 1000), seed + 1, algorithm), cluster);
  const t0 = now();
  const r = placeMany(requests, cluster);
  const ms = now() - t0;
  return { algorithm, placements: r.placed, failed: r.failed, ms, perSecond: ms > 0 ? (r.placed / ms) * 1000 : Infinity };
}
