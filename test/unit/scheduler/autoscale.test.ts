import { describe, expect, it } from "vitest";
import { decideScale, type Recommendation } from "../../../domain/scheduler/autoscale.ts";

const base = { current: 4, min: 2, max: 10, targetCPU: 70, now: 1_000_000 };

describe("autoscale", () => {
  it("scales up at once to ceil(current × observed / target)", () => {
    const d = decideScale({ ...base, observedCPU: 140 });
    expect(d).toMatchObject({ desired: 8, changed: true, reason: "scale_up", ratio: 2, recommended: 8 });
    expect(decideScale({ ...base, observedCPU: 90 }).desired).toBe(6); // 4 × 90/70 = 5.14 → 6
  });

  it("does nothing within the 10 % tolerance, on either side", () => {
    for (const observedCPU of [63, 70, 77]) {
      expect(decideScale({ ...base, observedCPU })).toMatchObject({ desired: 4, changed: false, reason: "within_tolerance" });
    }
    expect(decideScale({ ...base, observedCPU: 77.5 }).desired).toBe(5);
    expect(decideScale({ ...base, observedCPU: 62.5 })).toMatchObject({ desired: 4, reason: "unchanged" }); // ceil(3.57)
    expect(decideScale({ ...base, observedCPU: 52.5 })).toMatchObject({ desired: 3, reason: "scale_down" });
  });

  it("does not let float noise add a replica", () => {
    expect(decideScale({ ...base, current: 10, max: 20, observedCPU: 77, tolerance: 0 }).desired).toBe(11);
  });

  it("scales down without history, and clamps to [min, max]", () => {
    expect(decideScale({ ...base, observedCPU: 35 })).toMatchObject({ desired: 2, reason: "scale_down" });
    expect(decideScale({ ...base, observedCPU: 7 })).toMatchObject({ desired: 2, recommended: 1, limitedBy: "min" });
    expect(decideScale({ ...base, observedCPU: 700 })).toMatchObject({ desired: 10, recommended: 40, limitedBy: "max" });
    expect(decideScale({ ...base, current: 12, observedCPU: 70 })).toMatchObject({ desired: 10, changed: true, limitedBy: "max" });
  });

  it("holds a scale-down to the highest recommendation of the last 300 s", () => {
    let history: Recommendation[] = [];
    const at = (s: number, current: number, observedCPU: number) => {
      const d = decideScale({ ...base, current, observedCPU, now: s * 1000, history });
      history = d.history;
      return d;
    };
    expect(at(0, 4, 140).desired).toBe(8); // spike
    expect(at(60, 8, 35)).toMatchObject({ desired: 8, reason: "scale_down_stabilized", recommended: 4 });
    expect(at(200, 8, 52.5)).toMatchObject({ desired: 8, recommended: 6 });
    expect(at(301, 8, 35)).toMatchObject({ desired: 6, reason: "scale_down_stabilized" }); // the spike left the window
    expect(at(501, 6, 35)).toMatchObject({ desired: 4, reason: "scale_down_stabilized", recommended: 3 });
    expect(at(700, 4, 35)).toMatchObject({ desired: 3, recommended: 2 });
    expect(at(1001, 3, 35)).toMatchObject({ desired: 2, reason: "scale_down" });
    expect(history.map((r) => r.at)).toEqual([1_001_000]);
  });

  it("keeps the replica count without metrics, and returns its inputs for the audit", () => {
    const d = decideScale({ ...base, observedCPU: null });
    expect(d).toMatchObject({ desired: 4, changed: false, reason: "no_metrics", ratio: null });
    expect(d.inputs).toEqual({ ...base, observedCPU: null, tolerance: 0.1, stabilizationMs: 300_000 });
    expect(decideScale({ ...base, current: 0, observedCPU: 50 })).toMatchObject({ desired: 2, limitedBy: "min" });
  });

  it("rejects impossible bounds", () => {
    expect(() => decideScale({ ...base, min: 5, max: 3, observedCPU: 50 })).toThrow(RangeError);
    expect(() => decideScale({ ...base, targetCPU: 0, observedCPU: 50 })).toThrow(RangeError);
    expect(() => decideScale({ ...base, current: 1.5, observedCPU: 50 })).toThrow(RangeError);
  });
});
