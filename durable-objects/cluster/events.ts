// The rows behind `enc events`: node-reported events (stored here, the newest MAX_EVENTS kept)
// and the audit log's entries, read from where a cursor left off. Merging is domain/events.
import { and, asc, desc, eq, gt, lte, max } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { AgentEvent } from "../../protocol/api/agent.ts";
import type { EventsPage } from "../../protocol/api/events.ts";
import { pageAfter, tail, type AgentRow, type AuditRow, type Cursor } from "../../domain/events/stream.ts";
import { unseenEvents } from "../../domain/events/seq.ts";
import { audit, events, meta } from "./schema.ts";

/** Node events kept per cluster; older ones are pruned as new ones arrive. */
export const MAX_EVENTS = 20_000;
/** `meta` key of the newest event seq recorded per node. */
const SEQ_KEY = "event_seq:";
/** Rows read per source for one answer. */
const SCAN = 500;

export class EventStore {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  add(node: string, list: (AgentEvent & { workload: string })[]): void {
    if (list.length === 0) return;
    this.db
      .insert(events)
      .values(list.map((e) => ({ at: e.at, node, workload: e.workload, replica: e.replica, container: e.container ?? null, kind: e.kind, reason: e.reason ?? null })))
      .run();
    const top = this.end().agent;
    if (top > MAX_EVENTS) this.db.delete(events).where(lte(events.id, top - MAX_EVENTS)).run();
  }

  /** `list` without the events `node` reported before (by seq), remembering the newest seq in `meta`. */
  unseen<E extends { seq?: number }>(node: string, list: readonly E[]): E[] {
    const key = SEQ_KEY + node;
    const mark = Number(this.db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value ?? 0);
    const next = unseenEvents(list, mark);
    if (next.mark !== mark) this.db.insert(meta).values({ key, value: String(next.mark) }).onConflictDoUpdate({ target: meta.key, set: { value: String(next.mark) } }).run();
    return next.fresh;
  }

  /** A removed node's mark goes with it. */
  forgetNode(node: string): void {
    this.db.delete(meta).where(eq(meta.key, SEQ_KEY + node)).run();
  }

  /** The last position of each source. */
  end(): Cursor {
    const a = this.db.select({ n: max(audit.seq) }).from(audit).get()?.n ?? 0;
    const e = this.db.select({ n: max(events.id) }).from(events).get()?.n ?? 0;
    return { audit: a, agent: e };
  }

  private auditRows(where: ReturnType<typeof gt> | undefined, order: "asc" | "desc"): AuditRow[] {
    const q = this.db.select({ seq: audit.seq, body: audit.body }).from(audit).where(where).orderBy(order === "asc" ? asc(audit.seq) : desc(audit.seq)).limit(SCAN).all();
    return q.map((r) => {
      const b = JSON.parse(r.body) as { ts: string; event: string; subject: string; details: Record<string, unknown> };
      return { seq: r.seq, ts: b.ts, event: b.event, subject: b.subject, details: b.details ?? {} };
    });
  }

  private agentRows(after: number | undefined, workload: string | undefined, order: "asc" | "desc"): AgentRow[] {
    const conds = [after !== undefined ? gt(events.id, after) : undefined, workload ? eq(events.workload, workload) : undefined].filter((c) => c !== undefined);
    return this.db
      .select()
      .from(events)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(order === "asc" ? asc(events.id) : desc(events.id))
      .limit(SCAN)
      .all();
  }

  /** What happened after `cursor`, oldest first; or, without one, the newest `limit` events. */
  page(cursor: Cursor | undefined, workload: string | undefined, limit: number): EventsPage {
    if (!cursor) {
      const end = this.end();
      return tail(this.auditRows(undefined, "desc").reverse(), this.agentRows(undefined, workload, "desc").reverse(), end, workload, limit);
    }
    const a = this.auditRows(gt(audit.seq, cursor.audit), "asc");
    const e = this.agentRows(cursor.agent, workload, "asc");
    // Filtered rows were still read: the cursor may pass them. A full scan of the agent rows
    // stops at its last row; otherwise everything up to the end was seen.
    const end = this.end();
    const scanned = {
      audit: a.length === SCAN ? a[a.length - 1]!.seq : Math.max(cursor.audit, end.audit),
      agent: e.length === SCAN ? e[e.length - 1]!.id : Math.max(cursor.agent, end.agent),
    };
    return pageAfter(a, e, scanned, workload, limit);
  }
}
