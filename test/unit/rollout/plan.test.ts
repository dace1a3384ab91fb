import { describe, expect, it } from "vitest";
import { planRollout, type PlanReplica, type RolloutParams, type RolloutState } from "../../../domain/rollout/plan.ts";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const state: RolloutState = { status: "progressing", from_version: 1, to_version: 2, started_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z" };
const params: RolloutParams = { maxSurge: 1, maxUnavailable: 0, progressDeadlineMs: 60_000, needsHealth: true };
const rep = (id: string, version: number, ready = true, createdMs = T0): PlanReplica => ({
  id, type: "primary", version, status: ready ? "running" : "starting", healthy: ready ? true : null, reason: null, createdMs,
});
const plan = (replicas: PlanReplica[], over: Partial<Parameters<typeof planRollout>[0]> = {}) =>
  planRollout({ version: 2, wanted: [["primary", 2]], replicas, state, params, now: T0 + 1000, ...over });

/** Applies a plan the way the ClusterDO does: created replicas start unready, retired ones go. */
function step(replicas: PlanReplica[], n: { next: number }, over: Partial<Parameters<typeof planRollout>[0]> = {}) {
  const actions = plan(replicas, over);
  let out = [...replicas];
  for (const a of actions) {
    if (a.kind === "retire") out = out.filter((r) => !a.ids.includes(r.id));
    if (a.kind === "create") for (let i = 0; i < a.count; i++) out.push(rep(`w-${n.next++}`, 2, false));
  }
  return { actions, replicas: out };
}

describe("rolling update plan", () => {
  it("replaces one replica at a time with max_surge 1 / max_unavailable 0, never below the wanted ready count", () => {
    const n = { next: 3 };
    let rs = [rep("w-1", 1), rep("w-2", 1)];
    let s = step(rs, n);
    expect(s.actions).toEqual([{ kind: "create", type: "primary", count: 1 }]); // surge first, nothing retired
    rs = s.replicas;
    expect(step(rs, n).actions).toEqual([]); // the new one is not ready: wait
    rs = rs.map((r) => (r.id === "w-3" ? rep("w-3", 2) : r));
    s = step(rs, n);
    expect(s.actions).toEqual([{ kind: "retire", ids: ["w-2"], why: "rollout" }, { kind: "create", type: "primary", count: 1 }]);
    rs = s.replicas.map((r) => (r.id === "w-4" ? rep("w-4", 2) : r));
    s = step(rs, n);
    expect(s.actions).toEqual([{ kind: "retire", ids: ["w-1"], why: "rollout" }, { kind: "complete" }]);
    expect(s.replicas.map((r) => r.id)).toEqual(["w-3", "w-4"]);
  });

  it("with max_surge 0 / max_unavailable 1 retires first, then creates", () => {
    const s = step([rep("w-1", 1), rep("w-2", 1)], { next: 3 }, { params: { ...params, maxSurge: 0, maxUnavailable: 1 } });
    expect(s.actions).toEqual([{ kind: "retire", ids: ["w-2"], why: "rollout" }, { kind: "create", type: "primary", count: 1 }]);
  });

  it("halts when a new replica misses its deadline, retiring only the unready new ones", () => {
    const rs = [rep("w-1", 1), rep("w-2", 1), rep("w-3", 2, false, T0)];
    expect(plan(rs, { now: T0 + 59_000 })).toEqual([]);
    const [halt] = plan([...rs.slice(0, 2), { ...rs[2], reason: "restarting in 4s after exited (exit 3)" }], { now: T0 + 61_000 });
    expect(halt).toEqual({ kind: "halt", reason: "w-3 not ready within 60s (starting: restarting in 4s after exited (exit 3))", retire: ["w-3"] });
    // A resumed rollout counts its deadline from the resume.
    expect(plan(rs, { now: T0 + 61_000, state: { ...state, clock_ms: T0 + 30_000 } })).toEqual([]);
  });

  it("counts a failing health check as not ready", () => {
    const sick = { ...rep("w-3", 2), healthy: false };
    expect(plan([rep("w-1", 1), rep("w-2", 1), sick])).toEqual([]);
    expect(plan([rep("w-1", 1), rep("w-2", 1), { ...rep("w-3", 2), healthy: null }], { params: { ...params, needsHealth: false } })[0]).toMatchObject({ kind: "retire", ids: ["w-2"] });
  });

  it("drops unready old replicas whose slot a new one covers, and surplus new ones after a scale-down", () => {
    const crashed = { ...rep("w-2", 1), status: "exited" };
    expect(plan([rep("w-1", 1), crashed, rep("w-3", 2, false)])).toEqual([{ kind: "retire", ids: ["w-2"], why: "rollout" }, { kind: "create", type: "primary", count: 1 }]);
    expect(plan([rep("w-3", 2), rep("w-4", 2), rep("w-5", 2, false)])).toEqual([{ kind: "retire", ids: ["w-5"], why: "rollout" }, { kind: "complete" }]);
  });

  it("does nothing while paused or halted", () => {
    for (const status of ["paused", "halted", "complete"] as const) expect(plan([rep("w-1", 1)], { state: { ...state, status } })).toEqual([]);
  });
});
