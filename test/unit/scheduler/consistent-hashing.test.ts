import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rendezvousScore } from "../../../domain/scheduler/rendezvous.ts";
import { place, placeMany } from "../../../domain/scheduler/schedule.ts";
import type { SchedNode } from "../../../domain/scheduler/types.ts";
import { node, req } from "./helpers.ts";

const ids = ["node-a", "node-b", "node-c", "node-d", "node-e"];
const nodes = ids.map((id) => node(id));
const owner = (replicaId: string, ns: SchedNode[] = nodes, workload = "web") => {
  const r = place(req(workload, replicaId, { algorithm: "consistent_hashing" }), ns);
  if (!r.ok) throw new Error(r.reason);
  return r.nodeId;
};

describe("consistent_hashing (rendezvous over BLAKE3)", () => {
  it("maps keys to fixed nodes (pinned vectors)", () => {
    expect(["web-0", "web-1", "web-2", "web-3"].map((r) => owner(r))).toEqual(["node-e", "node-b", "node-b", "node-d"]);
    expect(rendezvousScore("web", "web-0", "node-e")).toBeCloseTo(0.8717844752827659, 12);
    expect(rendezvousScore("web", "web-0", "node-a")).toBeCloseTo(0.8540248222416267, 12);
  });

  it("takes the highest score among the nodes that fit, not the order they come in", () => {
    expect(owner("web-0", [...nodes].reverse())).toBe("node-e");
    const full = nodes.map((n) => (n.id === "node-e" ? node("node-e", { used: [4000, 0, 0] }) : n));
    expect(owner("web-0", full)).toBe("node-c"); // node-c scored second for web-0
  });

  it("within a batch, a workload's replicas still spread over distinct nodes", () => {
    const reqs = ["web-0", "web-1", "web-2", "web-3"].map((r) => req("web", r, { algorithm: "consistent_hashing" }));
    const res = placeMany(reqs, nodes);
    const placed = res.outcomes.map((o) => (o.ok ? o.nodeId : null));
    expect(placed.slice(0, 2)).toEqual(["node-e", "node-b"]);
    expect(new Set(placed).size).toBe(4);
  });

  it("gives weighted nodes a proportional share of keys", () => {
    const weighted = [node("x", { weight: 3 }), node("y", { weight: 1 })];
    let x = 0;
    const keys = 2000;
    for (let k = 0; k < keys; k++) if (owner(`k${k}`, weighted, `app${k}`) === "x") x++;
    expect(x / keys).toBeGreaterThan(0.72);
    expect(x / keys).toBeLessThan(0.78);
  });

  it("spreads unweighted keys evenly", () => {
    const counts = new Map<string, number>();
    for (let k = 0; k < 2500; k++) {
      const o = owner(`k${k}`, nodes, `app${k}`);
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    for (const id of ids) expect(Math.abs((counts.get(id) ?? 0) - 500)).toBeLessThan(90);
  });

  it("prunes weighted candidates without ever changing the top N (vs. a naive ranking)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.string({ maxLength: 8 }),
        (weights, key) => {
          const ns = weights.map((weight, i) => node(`n${i}`, { weight }));
          const res = place(req("app", key, { algorithm: "consistent_hashing" }), ns);
          const uniform = weights.every((w) => w === 1);
          const naive = ns
            .map((n) => ({ nodeId: n.id, score: rendezvousScore("app", key, n.id, uniform ? undefined : n.weight) }))
            .sort((a, b) => b.score - a.score || (a.nodeId < b.nodeId ? -1 : 1))
            .slice(0, 3);
          expect(res.ok && res.scores.map(({ nodeId, score }) => ({ nodeId, score }))).toEqual(naive);
        },
      ),
      { numRuns: 200 },
    );
  });
});
