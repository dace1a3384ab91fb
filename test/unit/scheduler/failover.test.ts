import { describe, expect, it } from "vitest";
import { nodeLiveness, planFailover, type FailoverReplica } from "../../../domain/scheduler/failover.ts";

const r = (id: string, type: FailoverReplica["type"], nodeId: string | null, status: FailoverReplica["status"] = "running", workload = "db"): FailoverReplica =>
  ({ id, workload, type, status, nodeId });

describe("node liveness", () => {
  it("is ready within the TTL, suspect within the grace, then down", () => {
    expect(nodeLiveness(0, 10_000)).toBe("ready");
    expect(nodeLiveness(0, 10_001)).toBe("suspect");
    expect(nodeLiveness(0, 20_000)).toBe("suspect");
    expect(nodeLiveness(0, 20_001)).toBe("down");
    expect(nodeLiveness(5_000, 6_000, 500, 400)).toBe("down");
    expect(nodeLiveness(null, 0)).toBe("down");
    expect(nodeLiveness(undefined, 0)).toBe("down");
  });
});

describe("failover plan", () => {
  it("promotes the running secondary of a lost primary and orders a new secondary", () => {
    const plan = planFailover([r("db-0", "primary", "n1"), r("db-2", "secondary", "n3"), r("db-1", "secondary", "n2")], ["n1"]);
    expect(plan).toEqual([
      { kind: "promote", workload: "db", replicaId: "db-1", nodeId: "n2", replaces: "db-0" },
      { kind: "retire", workload: "db", replicaId: "db-0", fromNode: "n1" },
      { kind: "create", workload: "db", replicaType: "secondary", replaces: "db-1" },
    ]);
  });

  it("reschedules the primary when no secondary is running on a healthy node", () => {
    const replicas = [r("db-0", "primary", "n1"), r("db-1", "secondary", "n1"), r("db-2", "secondary", "n2", "starting")];
    expect(planFailover(replicas, new Set(["n1"]))).toEqual([
      { kind: "reschedule", workload: "db", replicaId: "db-0", replicaType: "primary", fromNode: "n1" },
      { kind: "reschedule", workload: "db", replicaId: "db-1", replicaType: "secondary", fromNode: "n1" },
    ]);
  });

  it("reschedules other lost replicas, retires stopping ones, leaves finished ones and healthy nodes alone", () => {
    const replicas = [
      r("web-0", "read_only", "n1", "running", "web"), r("web-1", "load_balancer", "n1", "pending", "web"),
      r("web-2", "read_only", "n1", "stopping", "web"), r("web-3", "read_only", "n1", "exited", "web"),
      r("web-4", "read_only", "n1", "failed", "web"), r("web-5", "read_only", "n2", "running", "web"),
      r("web-6", "read_only", null, "pending", "web"),
    ];
    expect(planFailover(replicas, ["n1"])).toEqual([
      { kind: "reschedule", workload: "web", replicaId: "web-0", replicaType: "read_only", fromNode: "n1" },
      { kind: "reschedule", workload: "web", replicaId: "web-1", replicaType: "load_balancer", fromNode: "n1" },
      { kind: "retire", workload: "web", replicaId: "web-2", fromNode: "n1" },
    ]);
  });

  it("gives each lost primary its own secondary, per workload", () => {
    const replicas = [
      r("a-0", "primary", "n1", "running", "a"), r("a-1", "primary", "n1", "running", "a"), r("a-2", "secondary", "n2", "running", "a"),
      r("b-0", "primary", "n1", "running", "b"), r("b-1", "secondary", "n3", "running", "b"),
    ];
    const plan = planFailover(replicas, ["n1"]);
    expect(plan.filter((a) => a.kind === "promote").map((a) => a.kind === "promote" && [a.replicaId, a.replaces])).toEqual([["a-2", "a-0"], ["b-1", "b-0"]]);
    expect(plan).toContainEqual({ kind: "reschedule", workload: "a", replicaId: "a-1", replicaType: "primary", fromNode: "n1" });
  });

  it("plans nothing when no node is down", () => {
    expect(planFailover([r("db-0", "primary", "n1")], [])).toEqual([]);
  });
});
