import { describe, expect, it } from "vitest";
import { place } from "../../../domain/scheduler/schedule.ts";
import type { Algorithm, SchedNode, SchedulerState } from "../../../domain/scheduler/types.ts";
import { node, req } from "./helpers.ts";

/** Place `count` single-replica workloads one by one, threading the state through. */
function sequence(algorithm: Algorithm, nodes: SchedNode[], count: number, state: SchedulerState = {}) {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const r = place(req(`w${k}`, `w${k}-0`, { algorithm }), nodes, state);
    if (!r.ok) throw new Error(r.reason);
    out.push(r.nodeId);
    state = r.state;
  }
  return { out, state };
}

describe("round_robin", () => {
  it("cycles through ready nodes in id order and resumes from the cursor", () => {
    const nodes = [node("c"), node("a"), node("b")];
    const { out, state } = sequence("round_robin", nodes, 4);
    expect(out).toEqual(["a", "b", "c", "a"]);
    expect(state).toEqual({ roundRobinCursor: "a" });
    expect(sequence("round_robin", nodes, 2, state).out).toEqual(["b", "c"]);
  });

  it("skips nodes that cannot take the replica, and survives its cursor node leaving", () => {
    const nodes = [node("a"), node("b", { status: "down" }), node("c"), node("d")];
    expect(sequence("round_robin", nodes, 4).out).toEqual(["a", "c", "d", "a"]);
    expect(sequence("round_robin", [node("a"), node("c")], 1, { roundRobinCursor: "b" }).out).toEqual(["c"]);
  });
});

describe("weighted_round_robin (smooth, as nginx)", () => {
  it("spreads a 5:1:1 weighting as a a b a c a a", () => {
    const nodes = [node("a", { weight: 5 }), node("b"), node("c")];
    const { out, state } = sequence("weighted_round_robin", nodes, 7);
    expect(out.join(" ")).toBe("a a b a c a a");
    // After one full cycle every current weight is back at 0.
    expect(state).toEqual({});
  });

  it("keeps the proportions over many rounds and ignores unknown nodes in the state", () => {
    const nodes = [node("a", { weight: 3 }), node("b", { weight: 2 }), node("c", { weight: 1 })];
    const { out } = sequence("weighted_round_robin", nodes, 60, { weightedCurrent: { gone: 7 } });
    const count = (id: string) => out.filter((x) => x === id).length;
    expect([count("a"), count("b"), count("c")]).toEqual([30, 20, 10]);
  });
});

describe("least_connections", () => {
  it("prefers fewer connections, then fewer replicas, then the lower id", () => {
    const r = (nodes: SchedNode[]) => {
      const res = place(req("w", "w-0", { algorithm: "least_connections" }), nodes);
      return res.ok ? res.nodeId : null;
    };
    expect(r([node("a", { connections: 5 }), node("b", { connections: 2, replicas: 3 }), node("c", { connections: 2, replicas: 1 })])).toBe("c");
    expect(r([node("b", { connections: 1 }), node("a", { connections: 1 })])).toBe("a");
    expect(r([node("a", { connections: 0, replicas: 9 }), node("b")])).toBe("b");
  });
});
