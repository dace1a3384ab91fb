import { describe, expect, it } from "vitest";
import { benchPlacements, makeSimulatedCluster, makeSimulatedRequests } from "../../../bench/scheduler-support.ts";
import { placeMany } from "../../../domain/scheduler/schedule.ts";
import { ALGORITHMS } from "../../../domain/scheduler/types.ts";

describe("bench support", () => {
  it("builds the same simulated cluster for the same seed, with bpi1 ids", () => {
    const a = makeSimulatedCluster(20, 7);
    expect(makeSimulatedCluster(20, 7)).toEqual(a);
    expect(makeSimulatedCluster(20, 8)).not.toEqual(a);
    expect(new Set(a.map((n) => n.id)).size).toBe(20);
    for (const n of a) expect(n.id).toMatch(/^bpi1[02-9ac-hj-np-z]{58}$/);
  });

  it("places every simulated replica with every algorithm", () => {
    let t = 0;
    for (const algorithm of ALGORITHMS) {
      const r = benchPlacements(algorithm, 500, 50, { now: () => (t += 5) });
      expect(r).toEqual({ algorithm, placements: 500, failed: 0, ms: 5, perSecond: 100_000 });
    }
  });

  it("is deterministic: the same batch lands on the same nodes", () => {
    const nodes = makeSimulatedCluster(30, 3);
    const reqs = makeSimulatedRequests(200, 3, "resource_based");
    const ids = () => placeMany(reqs, nodes).outcomes.map((o) => (o.ok ? o.nodeId : null));
    expect(ids()).toEqual(ids());
  });
});
