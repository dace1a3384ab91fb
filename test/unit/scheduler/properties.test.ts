import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { place, placeMany, type PlacementOutcome } from "../../../domain/scheduler/schedule.ts";
import { ALGORITHMS, type PlacementRequest, type ReplicaType, type SchedNode } from "../../../domain/scheduler/types.ts";
import { node, req } from "./helpers.ts";

const nodeArb = (i: number, ample: boolean) =>
  fc.record({
    cpu: ample ? fc.constant(1e6) : fc.integer({ min: 0, max: 4000 }),
    mem: ample ? fc.constant(1e6) : fc.integer({ min: 0, max: 4096 }),
    sto: ample ? fc.constant(1e6) : fc.integer({ min: 0, max: 50 }),
    usedTenths: fc.integer({ min: 0, max: 10 }),
    status: ample ? fc.constant("ready" as const) : fc.constantFrom("ready", "ready", "ready", "down", "cordoned"),
    zone: fc.constantFrom("a", "b", "c", undefined),
    weight: fc.integer({ min: 1, max: 3 }),
    connections: fc.integer({ min: 0, max: 5 }),
  }).map((s) => {
    const used = ample ? 0 : s.usedTenths / 10;
    const f = (x: number) => Math.floor(x * used);
    return node(`n${i}`, { ...s, used: [f(s.cpu), f(s.mem), f(s.sto)] });
  });

const clusterArb = (ample = false, min = 1) =>
  fc.integer({ min, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => nodeArb(i, ample))));

interface WorkloadGen {
  size: number;
  rest: ReplicaType;
  cpu: number;
  mem: number;
  sto: number;
}

const workloadsArb: fc.Arbitrary<WorkloadGen[]> = fc.array(
  fc.record({
    size: fc.integer({ min: 1, max: 6 }),
    rest: fc.constantFrom<ReplicaType>("secondary", "read_only", "load_balancer"),
    cpu: fc.integer({ min: 0, max: 1500 }),
    mem: fc.integer({ min: 0, max: 1500 }),
    sto: fc.integer({ min: 0, max: 20 }),
  }),
  { minLength: 1, maxLength: 6 },
);

/** Replicas of each workload: a primary, a secondary, then `rest`; interleaved across workloads. */
function requests(ws: WorkloadGen[], algorithm: (typeof ALGORITHMS)[number]): PlacementRequest[] {
  const out: PlacementRequest[] = [];
  for (let k = 0; k < 6; k++) {
    ws.forEach((w, j) => {
      if (k >= w.size) return;
      const replicaType: ReplicaType = k === 0 ? "primary" : k === 1 ? "secondary" : w.rest;
      const resources = { cpu_millis: w.cpu, memory_mb: w.mem, storage_gb: w.sto };
      out.push(req(`w${j}`, `w${j}-${k}`, { replicaType, resources, algorithm }));
    });
  }
  return out;
}

/** Replays outcomes against a naive model of the hard filter and the soft-preference order. */
function checkAgainstModel(nodes: SchedNode[], reqs: PlacementRequest[], outcomes: PlacementOutcome[], maxR: number) {
  const alloc = nodes.map((n) => ({ ...n.allocated, replicas: n.replicas }));
  const where = new Map<string, { i: number; type: ReplicaType }[]>();
  reqs.forEach((r, k) => {
    const o = outcomes[k];
    const mine = where.get(r.workload) ?? [];
    const onNode = (i: number) => mine.filter((m) => m.i === i);
    const inZone = (i: number) => mine.filter((m) => (nodes[m.i].zone ?? "") === (nodes[i].zone ?? "")).length;
    const feasible = nodes.flatMap((n, i) => {
      const a = alloc[i], c = n.capabilities, q = r.resources;
      const clash = onNode(i).some((m) => (m.type === "primary" && r.replicaType === "secondary") || (m.type === "secondary" && r.replicaType === "primary"));
      const fits = a.cpu_millis + q.cpu_millis <= c.cpu_millis && a.memory_mb + q.memory_mb <= c.memory_mb && a.storage_gb + q.storage_gb <= c.storage_gb;
      return n.status === "ready" && fits && !clash && a.replicas < maxR ? [i] : [];
    });
    if (!o.ok) {
      expect(feasible).toEqual([]);
      expect(o.rejections.every((x) => x.reasons.length > 0)).toBe(true);
      expect(Object.values(o.counts).reduce((s, x) => s + x!, 0)).toBe(nodes.length);
      return;
    }
    const i = nodes.findIndex((n) => n.id === o.nodeId);
    expect(feasible).toContain(i);
    const fewest = Math.min(...feasible.map((f) => onNode(f).length));
    expect(onNode(i).length).toBe(fewest);
    const best = feasible.filter((f) => onNode(f).length === fewest);
    expect(inZone(i)).toBe(Math.min(...best.map(inZone)));
    alloc[i].cpu_millis += r.resources.cpu_millis;
    alloc[i].memory_mb += r.resources.memory_mb;
    alloc[i].storage_gb += r.resources.storage_gb;
    alloc[i].replicas++;
    where.set(r.workload, [...mine, { i, type: r.replicaType }]);
  });
  return { alloc, where };
}

describe("placement properties", () => {
  it("agrees with a naive model: feasibility, capacity, anti-affinity, zone spread, pair rule", () => {
    fc.assert(
      fc.property(clusterArb(), workloadsArb, fc.constantFrom(...ALGORITHMS), fc.constantFrom(Infinity, 2, 4), (nodes, ws, alg, maxR) => {
        const reqs = requests(ws, alg);
        const res = placeMany(reqs, nodes, {}, { maxReplicasPerNode: maxR === Infinity ? undefined : maxR });
        const { alloc, where } = checkAgainstModel(nodes, reqs, res.outcomes, maxR);
        res.nodes.forEach((n, i) => {
          expect(n.allocated).toEqual({ cpu_millis: alloc[i].cpu_millis, memory_mb: alloc[i].memory_mb, storage_gb: alloc[i].storage_gb });
          // Never over capacity (nodes started within it).
          expect(n.allocated.cpu_millis).toBeLessThanOrEqual(n.capabilities.cpu_millis);
          expect(n.allocated.memory_mb).toBeLessThanOrEqual(n.capabilities.memory_mb);
          expect(n.allocated.storage_gb).toBeLessThanOrEqual(n.capabilities.storage_gb);
        });
        for (const list of where.values()) {
          const prim = new Set(list.filter((m) => m.type === "primary").map((m) => m.i));
          expect(list.some((m) => m.type === "secondary" && prim.has(m.i))).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("puts a workload's replicas on distinct nodes whenever there are enough nodes", () => {
    fc.assert(
      fc.property(clusterArb(true, 6), workloadsArb, fc.constantFrom(...ALGORITHMS), (nodes, ws, alg) => {
        const res = placeMany(requests(ws, alg), nodes);
        expect(res.failed).toBe(0);
        const byWorkload = new Map<string, string[]>();
        for (const o of res.outcomes) if (o.ok) byWorkload.set(o.workload, [...(byWorkload.get(o.workload) ?? []), o.nodeId]);
        for (const ids of byWorkload.values()) expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 150 },
    );
  });

  it("does not depend on the order nodes are listed in", () => {
    fc.assert(
      fc.property(clusterArb(), fc.constantFrom(...ALGORITHMS), fc.integer(), (nodes, algorithm, seed) => {
        const shuffled = [...nodes].sort((a, b) => ((hash(a.id + seed) - hash(b.id + seed)) | 0));
        const q = req("w", `w-${seed}`, { algorithm, existing: [{ nodeId: "n0", replicaId: "w-x", replicaType: "primary" }] });
        const a = place(q, nodes), b = place(q, shuffled);
        expect(a.ok ? a.nodeId : a.reason).toBe(b.ok ? b.nodeId : b.reason);
      }),
      { numRuns: 150 },
    );
  });

  it("rendezvous hashing moves only the removed node's keys (about 1/n of them)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 16 }), fc.nat(), fc.integer({ min: 60, max: 200 }), (n, pick, keys) => {
        const nodes = Array.from({ length: n }, (_, i) => node(`node-${i}`, { cpu: 1e9, mem: 1e9, sto: 1e9 }));
        const reqs = Array.from({ length: keys }, (_, k) => req(`app-${k}`, `app-${k}-0`, { algorithm: "consistent_hashing" }));
        const owners = (ns: SchedNode[]) => placeMany(reqs, ns).outcomes.map((o) => (o.ok ? o.nodeId : "-"));
        const removed = nodes[pick % n].id;
        const before = owners(nodes);
        const after = owners(nodes.filter((x) => x.id !== removed));
        const moved = before.filter((o, k) => o !== after[k]);
        expect(moved.every((o) => o === removed)).toBe(true);
        expect(moved.length).toBe(before.filter((o) => o === removed).length);
        expect(moved.length).toBeLessThanOrEqual(keys / n + 4 * Math.sqrt(keys / n) + 2);
      }),
      { numRuns: 100 },
    );
  });
});

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
  return h;
}
