import { describe, expect, it } from "vitest";
import { place } from "../../../domain/scheduler/schedule.ts";
import type { Algorithm } from "../../../domain/scheduler/types.ts";
import { node, req } from "./helpers.ts";

const r = { cpu_millis: 500, memory_mb: 1024, storage_gb: 10 };
const pick = (algorithm: Algorithm, nodes: ReturnType<typeof node>[], over = {}) => {
  const res = place(req("w", "w-0", { algorithm, resources: r, ...over }), nodes);
  if (!res.ok) throw new Error(res.reason);
  return res;
};

describe("resource_based scores", () => {
  // a: after placement u = (0.375, 0.375, 0.1); b: u = (0.875, 0.875, 0.6).
  const light = node("a", { cpu: 4000, mem: 8192, sto: 100, used: [1000, 2048, 0] });
  const heavy = node("b", { cpu: 4000, mem: 8192, sto: 100, used: [3000, 6144, 50] });

  it("spread prefers the least utilized node: 0.6 × (1 − ū) + 0.4 × C", () => {
    const res = pick("resource_based_spread", [heavy, light]);
    expect(res.nodeId).toBe("a");
    expect(res.scores[0].score).toBeCloseTo(0.6 * (1 - 0.85 / 3) + 0.4, 12);
    expect(res.scores[1]).toMatchObject({ nodeId: "b" });
    expect(res.scores[1].score).toBeCloseTo(0.6 * (1 - 2.35 / 3) + 0.4, 12);
  });

  it("binpack prefers the most utilized node after placement", () => {
    const res = pick("resource_based_binpack", [light, heavy]);
    expect(res.nodeId).toBe("b");
    expect(res.scores[0].score).toBeCloseTo(0.6 * (2.35 / 3) + 0.4, 12);
  });

  it("the default blends spread with balance: ½(1 − ū) + ½(1 − (max u − min u))", () => {
    // c would be lopsided (memory 90 % used, cpu 10 %); d stays even at 50 % of everything.
    const c = node("c", { cpu: 1000, mem: 1000, sto: 100, used: [0, 800, 0] });
    const d = node("d", { cpu: 1000, mem: 1000, sto: 100, used: [400, 400, 40] });
    const small = { resources: { cpu_millis: 100, memory_mb: 100, storage_gb: 10 } };
    expect(pick("resource_based_spread", [c, d], small).nodeId).toBe("c");
    const res = pick("resource_based", [c, d], small);
    expect(res.nodeId).toBe("d");
    expect(res.scores[0].score).toBeCloseTo(0.6 * (0.5 * 0.5 + 0.5 * 1) + 0.4, 12);
    expect(res.scores[1].score).toBeCloseTo(0.6 * (0.5 * (1 - 1.1 / 3) + 0.5 * (1 - 0.8)) + 0.4, 12);
  });

  it("is the default algorithm, and the cluster option overrides the default", () => {
    const c = node("c", { cpu: 1000, mem: 1000, sto: 100, used: [0, 800, 0] });
    const d = node("d", { cpu: 1000, mem: 1000, sto: 100, used: [400, 400, 40] });
    const q = req("w", "w-0", { resources: { cpu_millis: 100, memory_mb: 100, storage_gb: 10 } });
    expect(place(q, [c, d]).ok && place(q, [c, d])).toMatchObject({ nodeId: "d" });
    expect(place(q, [c, d], {}, { algorithm: "resource_based_spread" })).toMatchObject({ nodeId: "c" });
  });

  it("capability score keeps special nodes free: C = 1 / (1 + wasted features)", () => {
    const plain = node("p");
    const special = node("s", { caps: { supports_determinism_cage: true, supports_zk_proofs: true } });
    const res = pick("resource_based", [special, plain]);
    expect(res.nodeId).toBe("p");
    expect(res.scores[0].score - res.scores[1].score).toBeCloseTo(0.4 * (1 - 1 / 3), 12);
    const caged = pick("resource_based", [special, plain], { constraints: { capabilities: { supports_determinism_cage: true } } });
    expect(caged.nodeId).toBe("s");
    expect(caged.scores).toHaveLength(1);
  });

  it("leaves out resources a node has none of", () => {
    const diskless = node("x", { sto: 0 });
    const res = pick("resource_based_spread", [diskless], { resources: { cpu_millis: 400, memory_mb: 0, storage_gb: 0 } });
    expect(res.scores[0].score).toBeCloseTo(0.6 * (1 - 0.05) + 0.4, 12);
  });

  it("breaks exact ties by node id, whatever the input order", () => {
    const nodes = [node("n3"), node("n1"), node("n2")];
    for (const alg of ["resource_based", "resource_based_binpack", "resource_based_spread"] as const) {
      expect(pick(alg, nodes).nodeId).toBe("n1");
      expect(pick(alg, [...nodes].reverse()).nodeId).toBe("n1");
    }
  });
});
