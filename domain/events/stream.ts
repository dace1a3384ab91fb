// The cluster's event stream (`enc events`): the audit log read as events (what the control plane
// decided: deployed, scheduled, scaled, failover, rollouts) merged in time order with what nodes
// reported (pulled, started, exited, back-off, health). Each source keeps its own order (audit
// seq, agent event id), so a cursor is the pair of positions read so far and nothing is skipped
// or repeated, whatever the two clocks say.
import type { ClusterEvent, EventsPage } from "../../protocol/api/events.ts";

export interface AuditRow {
  seq: number;
  ts: string;
  event: string;
  subject: string;
  details: Record<string, unknown>;
}

export interface AgentRow {
  id: number;
  at: string;
  node: string;
  workload: string;
  replica: string;
  container: string | null;
  kind: string;
  reason: string | null;
}

export interface Cursor {
  audit: number;
  agent: number;
}

export const formatCursor = (c: Cursor): string => `a${c.audit}.e${c.agent}`;

export function parseCursor(s: string): Cursor {
  const m = /^a(\d+)\.e(\d+)$/.exec(s);
  if (!m) throw new Error(`not an event cursor: ${s}`);
  return { audit: Number(m[1]), agent: Number(m[2]) };
}

/** Audit entries that say nothing about workloads or nodes (keys, roles, sealing…) are not events. */
const NOT_EVENTS = new Set(["ClusterCreated", "JoinTokenIssued", "RoleGranted", "RoleRevoked", "LogBlockSealed", "ReplayVerified", "DomainRegistered", "DomainUpdated", "DomainRemoved", "DidCreated", "DidUpdated", "DidDeactivated", "ProtocolUpgrade"]);
// A cluster setting, not about a workload or node (kept apart from the list above to keep merges local).
NOT_EVENTS.add("QuantumSafeEnabled");

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
/** "RolloutPaused" → "rollout_paused" */
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** One audit entry as the events it stands for (a ResourceAllocation entry places many replicas). */
export function auditEvents(row: AuditRow): ClusterEvent[] {
  if (NOT_EVENTS.has(row.event)) return [];
  const d = row.details;
  const base = { at: row.ts, source: "audit" as const };
  const one = (i: number, e: Omit<ClusterEvent, "id" | "at" | "source">): ClusterEvent => {
    const out: ClusterEvent = { id: `a${row.seq}.${i}`, ...base, kind: e.kind };
    for (const k of ["workload", "replica", "node", "reason"] as const) if (e[k]) out[k] = e[k];
    return out;
  };
  switch (row.event) {
    case "WorkloadDeployed": {
      const spec = (d.spec ?? {}) as Record<string, unknown>;
      return [one(0, { kind: "deployed", workload: row.subject, reason: `version ${num(d.version) ?? 1}, image ${str(spec.image) ?? "?"}` })];
    }
    case "WorkloadUpdated":
      return [
        one(0, {
          kind: d.rollout === "complete" ? "rollout_complete" : "updated",
          workload: row.subject,
          reason: num(d.from_version) !== undefined ? `version ${num(d.from_version)} → ${num(d.version)}` : `version ${num(d.version) ?? "?"}`,
        }),
      ];
    case "WorkloadScaled":
      return [one(0, { kind: "scaled", workload: row.subject, reason: `${num(d.from) ?? "?"} → ${num(d.to) ?? "?"} replicas${d.manual ? "" : str(d.reason) ? ` (${str(d.reason)})` : " (autoscaler)"}` })];
    case "WorkloadDeleted":
      return [one(0, { kind: "deleted", workload: row.subject })];
    case "ReplicaCreated": {
      const ids = Array.isArray(d.replicas) ? d.replicas.filter((x): x is string => typeof x === "string") : [row.subject];
      return ids.map((id, i) => one(i, { kind: "replica_created", workload: str(d.workload), replica: id, reason: `${str(d.replica_type) ?? "primary"}, spec version ${num(d.spec_version) ?? "?"}` }));
    }
    case "ResourceAllocation": {
      const list = Array.isArray(d.allocations) ? (d.allocations as Record<string, unknown>[]) : [];
      // Workload and algorithm are said once per entry (since issue 17), per placement before.
      return list.map((a, i) => one(i, { kind: "scheduled", workload: str(a.workload) ?? str(d.workload), replica: str(a.replica), node: str(a.node), reason: `placed by ${str(a.algorithm) ?? str(d.algorithm) ?? "the scheduler"}` }));
    }
    case "ReplicaFailover":
      return [one(0, { kind: "failover", workload: row.subject, replica: str(d.promoted), node: str(d.node), reason: `${str(d.promoted)} promoted to replace ${str(d.replaces) ?? "a lost primary"}: ${str(d.reason) ?? ""}`.replace(/: $/, "") })];
    case "NodeStatusChanged":
      return [one(0, { kind: "node_status", node: row.subject, reason: `${str(d.from) ?? "?"} → ${str(d.to) ?? "?"}${str(d.reason) ? ` (${str(d.reason)})` : ""}` })];
    case "NodeAdded":
      return [one(0, { kind: "node_added", node: row.subject })];
    case "NodeRemoved":
      return [one(0, { kind: "node_removed", node: row.subject })];
    default: {
      // Anything newer (rollout steps, replays, violations): named after the entry, about the
      // workload it names.
      const workload = str(d.workload) ?? row.subject;
      return [one(0, { kind: snake(row.event), workload, reason: str(d.reason) ?? str(d.detail) })];
    }
  }
}

export function agentEvent(r: AgentRow): ClusterEvent {
  const e: ClusterEvent = { id: `e${r.id}`, at: r.at, source: "agent", kind: r.kind, workload: r.workload, replica: r.replica, node: r.node };
  if (r.reason) e.reason = r.reason;
  return e;
}

interface Item {
  ev: ClusterEvent;
  src: "audit" | "agent";
  key: number;
  t: number;
}

const byTime = (a: Item, b: Item) => a.t - b.t || (a.src === b.src ? a.key - b.key : a.src === "audit" ? -1 : 1);

function items(audit: AuditRow[], agent: AgentRow[], workload: string | undefined): Item[] {
  const out: Item[] = [];
  for (const row of audit) {
    for (const ev of auditEvents(row)) if (!workload || ev.workload === workload) out.push({ ev, src: "audit", key: row.seq, t: Date.parse(ev.at) || 0 });
  }
  for (const row of agent) if (!workload || row.workload === workload) out.push({ ev: agentEvent(row), src: "agent", key: row.id, t: Date.parse(row.at) || 0 });
  return out.sort(byTime);
}

/**
 * The events after `cursor`: `audit` and `agent` are the rows read past it, in source order, up
 * to `scanned` (the last position each read reached). Up to about `limit` events, oldest first;
 * the new cursor stops before the first event left out, so the next page starts there.
 */
export function pageAfter(audit: AuditRow[], agent: AgentRow[], scanned: Cursor, workload: string | undefined, limit: number): EventsPage {
  const all = items(audit, agent, workload);
  let n = Math.min(limit, all.length);
  // Never split one audit entry's events between pages: its seq is the cursor's unit.
  while (n < all.length && n > 0 && all[n]!.src === "audit" && all.slice(0, n).some((x) => x.src === "audit" && x.key === all[n]!.key)) n++;
  const left = all.slice(n);
  const firstLeft = (src: Item["src"]) => left.filter((x) => x.src === src).reduce((m, x) => Math.min(m, x.key), Infinity);
  const cursor = {
    audit: Number.isFinite(firstLeft("audit")) ? firstLeft("audit") - 1 : scanned.audit,
    agent: Number.isFinite(firstLeft("agent")) ? firstLeft("agent") - 1 : scanned.agent,
  };
  return { events: all.slice(0, n).map((x) => x.ev), cursor: formatCursor(cursor) };
}

/** The newest `limit` events (rows read backwards from the end), and the cursor at the end. */
export function tail(audit: AuditRow[], agent: AgentRow[], end: Cursor, workload: string | undefined, limit: number): EventsPage {
  const all = items(audit, agent, workload);
  return { events: all.slice(Math.max(0, all.length - limit)).map((x) => x.ev), cursor: formatCursor(end) };
}
