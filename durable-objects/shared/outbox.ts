import type { LedgerWrite } from "../../domain/ledger/writes.ts";
import { applyLedgerWrites } from "../../domain/ledger/writes.ts";
import { count, lte, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { Schedule } from "./schedule.ts";
import { outbox } from "./schema.ts";

const FLUSH_TASK = "flush";
const MAX_ROWS_PER_FLUSH = 400;
/** A row may carry a whole notary batch: a flush also stops at this much payload. */
const MAX_BYTES_PER_FLUSH = 4_000_000;
/** Back-off for a failing D1: 1 s, 2 s, 4 s … capped at 5 minutes; retries never stop. */
const backoffMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.min(attempts, 9));

/**
 * An outbox row naming rows the owning DO keeps anyway (a NotaryDO batch: its receipts' seq
 * range; an audit entry: its seq), resolved into a LedgerWrite when flushed: the bodies are not
 * serialised and written twice in the transaction that adds them. `bytes` sizes the flush.
 */
export interface OutboxRef {
  kind: "ref";
  table: "receipts" | "audit";
  from: number;
  to: number;
  bytes: number;
}

/**
 * The transactional outbox: ledger rows are written into the DO's SQLite in the same
 * transaction as the state change that owes them, and a flush is scheduled in that transaction
 * too. So a DO evicted before the flush still has both the rows and the alarm that sends them.
 */
export class Outbox {
  private flushing: Promise<void> | null = null;
  // Built once: a push is on every ledger-writing hot path.
  private readonly insert;

  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly schedule: Schedule,
    private readonly d1: D1Database,
    /** How long rows may wait for the flush alarm when no caller flushes them sooner. */
    private readonly delayMs = 5_000,
    /** Turns an OutboxRef back into what it stands for, from the owner's tables. */
    private readonly resolve: (ref: OutboxRef) => LedgerWrite = () => {
      throw new Error("this DO writes no outbox refs");
    },
  ) {
    this.insert = db.insert(outbox).values({ payload: sql.placeholder("payload") }).prepare();
  }

  /** Must be called inside the state change's synchronous transaction. */
  push(write: LedgerWrite | OutboxRef): void {
    this.insert.run({ payload: JSON.stringify(write) });
    // One schedule row covers the whole outbox; re-arming per row would cost a setAlarm each.
    if (!this.schedule.has(FLUSH_TASK)) this.schedule.at(FLUSH_TASK, Date.now() + this.delayMs);
  }

  pending(): number {
    return this.db.select({ n: count() }).from(outbox).get()!.n;
  }

  /** Sends everything pending to D1. Concurrent callers share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Called by the alarm: flushes, and on failure reschedules with back-off instead of throwing. */
  async flushFromAlarm(attempts: number): Promise<void> {
    try {
      await this.flush();
    } catch (e) {
      this.schedule.retry(FLUSH_TASK, Date.now() + backoffMs(attempts), attempts);
      console.error("ledger flush failed; will retry", (e as Error).message);
    }
  }

  /**
   * The rows' writes, refs resolved; consecutive refs to adjacent ranges of one table are read as
   * one range (a deploy's dozen audit entries are a dozen refs: one query, not one each). The
   * writes are the same bodies in the same order.
   */
  private resolved(rows: (LedgerWrite | OutboxRef)[]): LedgerWrite[] {
    const out: LedgerWrite[] = [];
    let ref: OutboxRef | undefined;
    for (const w of rows) {
      if (w.kind === "ref" && ref && w.table === ref.table && w.from === ref.to + 1) {
        ref.to = w.to;
        ref.bytes += w.bytes;
        continue;
      }
      if (ref) out.push(this.resolve(ref));
      ref = undefined;
      if (w.kind === "ref") ref = { ...w };
      else out.push(w);
    }
    if (ref) out.push(this.resolve(ref));
    return out;
  }

  private async drain(): Promise<void> {
    for (;;) {
      let upTo = 0;
      let bytes = 0;
      for (const r of this.db.select({ id: outbox.id, size: sql<number>`coalesce(${outbox.payload}->>'$.bytes', length(${outbox.payload}))` }).from(outbox).orderBy(outbox.id).limit(MAX_ROWS_PER_FLUSH).all()) {
        if (upTo && bytes + r.size > MAX_BYTES_PER_FLUSH) break;
        upTo = r.id;
        bytes += r.size;
      }
      const rows = upTo ? this.db.select().from(outbox).where(lte(outbox.id, upTo)).orderBy(outbox.id).all() : [];
      if (rows.length === 0) {
        if (this.schedule.has(FLUSH_TASK)) this.schedule.done(FLUSH_TASK);
        return;
      }
      await applyLedgerWrites(this.d1, this.resolved(rows.map((r) => JSON.parse(r.payload) as LedgerWrite | OutboxRef)));
      this.db.delete(outbox).where(lte(outbox.id, rows[rows.length - 1].id)).run();
    }
  }
}
