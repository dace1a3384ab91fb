import { describe, expect, it } from "vitest";
import { capabilityMatches } from "../../../domain/scheduler/constraints.ts";
import { place } from "../../../domain/scheduler/schedule.ts";
import { node, req } from "./helpers.ts";

const mem = (cpu: number, memory: number, storage = 0) => ({ cpu_millis: cpu, memory_mb: memory, storage_gb: storage });

describe("hard filter", () => {
  it("fits exactly the remaining capacity, and not one unit more", () => {
    const nodes = [node("a", { cpu: 1000, mem: 1000, sto: 10, used: [400, 500, 5] })];
    expect(place(req("w", "w-0", { resources: mem(600, 500, 5) }), nodes).ok).toBe(true);
    for (const r of [mem(601, 500, 5), mem(600, 501, 5), mem(600, 500, 6)]) {
      expect(place(req("w", "w-0", { resources: r }), nodes).ok).toBe(false);
    }
  });

  it("names every node's reasons and summarizes by the first", () => {
    const nodes = [
      node("n1", { mem: 100 }), node("n2", { mem: 100 }), node("n3", { mem: 100, cpu: 10 }),
      node("n4", { status: "down" }), node("n5", { status: "cordoned", mem: 100 }),
    ];
    const r = place(req("w", "w-0", { resources: mem(500, 1024) }), nodes);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe("no node fits: 1 down, 1 cordoned, 1 node lacks cpu, 2 nodes lack memory");
    expect(r.counts).toEqual({ down: 1, cordoned: 1, cpu: 1, memory: 2 });
    expect(r.rejections.find((x) => x.nodeId === "n3")!.reasons).toEqual(["cpu", "memory"]);
    expect(r.rejections.find((x) => x.nodeId === "n5")!.reasons).toEqual(["cordoned", "memory"]);
  });

  it("reports an empty cluster plainly", () => {
    const r = place(req("w", "w-0"), []);
    expect(r.ok === false && r.reason).toBe("no node fits: the cluster has no nodes");
  });

  it("places only on ready nodes", () => {
    for (const status of ["cordoned", "draining", "down", "pending"] as const) {
      const r = place(req("w", "w-0"), [node("a", { status }), node("b")]);
      expect(r.ok && r.nodeId).toBe("b");
    }
  });

  it("applies node type, capability, label and zone constraints", () => {
    const nodes = [
      node("a", { node_type: "storage", zone: "eu-1" }),
      node("b", { zone: "eu-1", caps: { supports_determinism_cage: true, architectures: ["amd64", "arm64"] } }),
      node("c", { zone: "eu-2", labels: { tier: "gold" }, caps: { supports_determinism_cage: true, gpus: 2 } }),
      node("d", { zone: "us-1", labels: { tier: "gold" }, caps: { supports_determinism_cage: true, gpus: 4 } }),
    ];
    const at = (constraints: object) => {
      const r = place(req("w", "w-0", { constraints }), nodes);
      return r.ok ? r.nodeId : r.counts;
    };
    expect(at({ node_type: "storage" })).toBe("a");
    expect(at({ capabilities: { architectures: "arm64" } })).toBe("b");
    expect(at({ capabilities: { gpus: 3 } })).toBe("d");
    expect(at({ labels: { tier: "gold" }, zone: ["eu-1", "eu-2"] })).toBe("c");
    expect(at({ zone: "ap-1" })).toEqual({ zone: 4 });
    expect(at({ node_type: "compute", capabilities: { supports_determinism_cage: true }, zone: "eu-1" })).toBe("b");
    // named nodes (`--target-nodes`): only those, combined with the other constraints
    expect(at({ nodes: ["c"] })).toBe("c");
    expect(at({ nodes: ["a", "d"], labels: { tier: "gold" } })).toBe("d");
    expect(at({ nodes: ["a", "b"], zone: "eu-2" })).toEqual({ zone: 3, node: 1 });
    const r = place(req("w", "w-0", { constraints: { nodes: ["zz"] } }), nodes);
    expect(r.ok === false && r.reason).toBe("no node fits: 4 nodes are not among the named nodes");
  });

  it("matches capability values by kind", () => {
    expect(capabilityMatches(true, true)).toBe(true);
    expect(capabilityMatches(undefined, true)).toBe(false);
    expect(capabilityMatches(undefined, false)).toBe(true);
    expect(capabilityMatches(8, 4)).toBe(true);
    expect(capabilityMatches(2, 4)).toBe(false);
    expect(capabilityMatches("4", 4)).toBe(false);
    expect(capabilityMatches(["amd64", "arm64"], ["arm64", "amd64"])).toBe(true);
    expect(capabilityMatches(["amd64"], ["arm64", "amd64"])).toBe(false);
    expect(capabilityMatches({ a: 1 }, { a: 1 })).toBe(true);
  });

  it("enforces max replicas per node", () => {
    const r = place(req("w", "w-0"), [node("a", { replicas: 2 }), node("b", { replicas: 1 })], {}, { maxReplicasPerNode: 1 });
    expect(r.ok === false && r.counts).toEqual({ max_replicas: 2 });
  });

  it("never puts a primary and a secondary of one workload on one node", () => {
    const nodes = [node("a"), node("b", { used: [3990, 0, 0] })];
    const existing = [{ nodeId: "a", replicaId: "w-0", replicaType: "primary" as const }];
    const r = place(req("w", "w-1", { replicaType: "secondary", existing }), nodes);
    expect(r.ok === false && r.rejections).toEqual([
      { nodeId: "a", reasons: ["primary_secondary"] },
      { nodeId: "b", reasons: ["cpu"] },
    ]);
    // Read-only replicas and other workloads are not bound by the pair rule.
    expect(place(req("w", "w-1", { existing }), nodes).ok).toBe(true);
    expect(place(req("v", "v-1", { replicaType: "secondary" }), nodes).ok).toBe(true);
  });

  it("treats missing or malformed node sizes as zero, never as room", () => {
    const broken = node("a");
    const nodes = [{ ...broken, capabilities: { ...broken.capabilities, memory_mb: Number.NaN } }];
    const r = place(req("w", "w-0"), nodes);
    expect(r.ok === false && r.counts).toEqual({ memory: 1 });
    const unknownStatus = { ...node("b"), status: "toString" as never };
    expect(place(req("w", "w-0"), [unknownStatus]).ok === false).toBe(true);
  });

  it("rejects malformed resources and unknown algorithms loudly", () => {
    expect(() => place(req("w", "w-0", { resources: mem(-1, 0) }), [node("a")])).toThrow(RangeError);
    expect(() => place(req("w", "w-0", { resources: mem(NaN, 0) }), [node("a")])).toThrow(RangeError);
    expect(() => place(req("w", "w-0", { algorithm: "random" as never }), [node("a")])).toThrow(RangeError);
  });
});
