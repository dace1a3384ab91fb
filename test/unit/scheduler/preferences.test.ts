import { describe, expect, it } from "vitest";
import { place, placeMany } from "../../../domain/scheduler/schedule.ts";
import { ALGORITHMS, type ExistingReplica } from "../../../domain/scheduler/types.ts";
import { node, req } from "./helpers.ts";

const on = (nodeId: string, replicaId: string): ExistingReplica => ({ nodeId, replicaId, replicaType: "read_only" });

describe("soft preferences", () => {
  it("anti-affinity outweighs any score: a fuller empty node beats an idle one holding a replica", () => {
    const nodes = [node("idle"), node("busy", { used: [3000, 6000, 0] })];
    for (const algorithm of ALGORITHMS) {
      const r = place(req("w", "w-1", { algorithm, existing: [on("idle", "w-0")] }), nodes);
      expect(r.ok && r.nodeId, algorithm).toBe("busy");
      // penalty = replicas on the node × (E + 1) + replicas in the zone (all nodes share zone "").
      expect(r.ok && r.scores.map((s) => s.penalty)).toEqual([1, 3]);
    }
  });

  it("falls back to sharing a node when no other fits", () => {
    const nodes = [node("a"), node("b", { status: "down" })];
    const r = place(req("w", "w-1", { existing: [on("a", "w-0")] }), nodes);
    expect(r.ok && r.nodeId).toBe("a");
  });

  it("prefers the zone with fewer of the workload's replicas", () => {
    const nodes = [node("a1", { zone: "a" }), node("a2", { zone: "a" }), node("b1", { zone: "b", used: [3000, 6000, 0] })];
    const r = place(req("w", "w-1", { existing: [on("a1", "w-0")] }), nodes);
    expect(r.ok && r.nodeId).toBe("b1");
    expect(r.ok && r.scores.map((s) => [s.nodeId, s.penalty])).toEqual([["b1", 0], ["a2", 1], ["a1", 3]]);
  });

  it("spreads a scale-up over zones first, then nodes", () => {
    const nodes = ["a1", "a2", "a3", "b1", "c1"].map((id) => node(id, { zone: id[0] }));
    const reqs = Array.from({ length: 5 }, (_, k) => req("w", `w-${k}`));
    const placed = placeMany(reqs, nodes).outcomes.map((o) => (o.ok ? o.nodeId : "-"));
    expect(placed.slice(0, 3).map((id) => id[0]).sort()).toEqual(["a", "b", "c"]);
    expect(new Set(placed).size).toBe(5);
  });

  it("counts replicas the caller lists and those a batch placed, once each", () => {
    const nodes = [node("a"), node("b"), node("c")];
    const existing = [on("a", "w-0")];
    const reqs = [req("w", "w-1", { existing }), req("w", "w-2", { existing: [...existing, on("b", "w-1")] })];
    const res = placeMany(reqs, nodes);
    expect(res.outcomes.map((o) => o.ok && o.nodeId)).toEqual(["b", "c"]);
    expect(res.nodes.map((n) => n.replicas)).toEqual([0, 1, 1]);
    // Exported once, when first read; the inputs are left as they were.
    expect(res.nodes).toBe(res.nodes);
    expect(nodes.map((n) => n.replicas)).toEqual([0, 0, 0]);
  });
});
