// The event stream's merge of audit entries and node events: time order, cursors that never skip
// nor split an entry, and how audit entries read as events.
import { describe, expect, it } from "vitest";
import { auditEvents, pageAfter, parseCursor, tail, type AgentRow, type AuditRow } from "../../../domain/events/stream.ts";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const audit = (seq: number, s: number, event: string, subject: string, details: Record<string, unknown> = {}): AuditRow => ({ seq, ts: t(s), event, subject, details });
const agent = (id: number, s: number, kind: string, workload = "w"): AgentRow => ({ id, at: t(s), node: "n1", workload, replica: `${workload}-1`, container: null, kind, reason: null });

describe("audit entries as events", () => {
  it("names what each entry did, per replica for batched entries, and skips entries that are no events", () => {
    const alloc = auditEvents(audit(3, 0, "ResourceAllocation", "2 replicas", { allocations: [{ replica: "w-1", workload: "w", node: "n1", algorithm: "spread" }, { replica: "w-2", workload: "w", node: "n2", algorithm: "spread" }] }));
    expect(alloc).toEqual([
      { id: "a3.0", at: t(0), source: "audit", kind: "scheduled", workload: "w", replica: "w-1", node: "n1", reason: "placed by spread" },
      { id: "a3.1", at: t(0), source: "audit", kind: "scheduled", workload: "w", replica: "w-2", node: "n2", reason: "placed by spread" },
    ]);
    expect(auditEvents(audit(4, 0, "WorkloadScaled", "w", { from: 2, to: 1, manual: true }))[0]).toMatchObject({ kind: "scaled", workload: "w", reason: "2 → 1 replicas" });
    expect(auditEvents(audit(5, 0, "RoleGranted", "bpi1x", { role: "viewer" }))).toEqual([]);
    // An entry this code does not know yet (a rollout step) still shows, about its workload.
    expect(auditEvents(audit(6, 0, "RolloutPaused", "w", { reason: "by hand" }))[0]).toMatchObject({ kind: "rollout_paused", workload: "w", reason: "by hand" });
  });
});

describe("pages", () => {
  const rowsA = [audit(1, 0, "WorkloadDeployed", "w", { version: 1, spec: { image: "oci:/x" } }), audit(2, 3, "WorkloadDeleted", "w")];
  const rowsE = [agent(1, 1, "pulled"), agent(2, 2, "started"), agent(3, 4, "exited")];

  it("merges both sources in time order; the cursor reaches what was read", () => {
    const p = pageAfter(rowsA, rowsE, { audit: 2, agent: 3 }, undefined, 100);
    expect(p.events.map((e) => e.kind)).toEqual(["deployed", "pulled", "started", "deleted", "exited"]);
    expect(parseCursor(p.cursor)).toEqual({ audit: 2, agent: 3 });
  });

  it("a short page's cursor stops before the first event left out, per source", () => {
    const p = pageAfter(rowsA, rowsE, { audit: 2, agent: 3 }, undefined, 2);
    expect(p.events.map((e) => e.kind)).toEqual(["deployed", "pulled"]);
    expect(parseCursor(p.cursor)).toEqual({ audit: 1, agent: 1 });
    const next = pageAfter(rowsA.slice(1), rowsE.slice(1), { audit: 2, agent: 3 }, undefined, 2);
    expect(next.events.map((e) => e.kind)).toEqual(["started", "deleted"]);
  });

  it("never splits one audit entry between pages", () => {
    const many = audit(7, 0, "ReplicaCreated", "3 replicas", { workload: "w", replicas: ["w-1", "w-2", "w-3"] });
    const p = pageAfter([many], [], { audit: 7, agent: 0 }, undefined, 1);
    expect(p.events.map((e) => e.replica)).toEqual(["w-1", "w-2", "w-3"]);
    expect(parseCursor(p.cursor).audit).toBe(7);
  });

  it("filters by workload; the tail is the newest events with the cursor at the end", () => {
    const p = pageAfter(rowsA, [...rowsE, agent(4, 5, "started", "other")], { audit: 2, agent: 4 }, "other", 100);
    expect(p.events.map((e) => [e.kind, e.workload])).toEqual([["started", "other"]]);
    expect(parseCursor(p.cursor)).toEqual({ audit: 2, agent: 4 });
    const last = tail(rowsA, rowsE, { audit: 9, agent: 9 }, undefined, 2);
    expect(last.events.map((e) => e.kind)).toEqual(["deleted", "exited"]);
    expect(last.cursor).toBe("a9.e9");
  });
});
