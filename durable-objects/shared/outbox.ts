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
  ) {
    this.insert = db.insert(outbox).values({ payload: sql.placeholder("payload") }).prepare();
  }

  /** Must be called inside the state change's synchronous transaction. */
  push(write: LedgerWrite): void {
    this.insert.run({ payload: JSON.stringify(write) });
    // One schedule row covers the whole outbox; re-arming per row would cost a setAlarm each.
    if (!this.schedule.has(FLUSH_TASK)) this.schedule.at(FLUSH_TASK, Date.now() + 5_000);
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
      this.schedule.retry(FLUSH_TASK, Date.now() + backoffMs(attempts));
      console.error("ledger flush failed; will retry", (e as Error).message);
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      let upTo = 0;
      let bytes = 0;
      for (const r of this.db.select({ id: outbox.id, size: sql<number>`length(${outbox.payload})` }).from(outbox).orderBy(outbox.id).limit(MAX_ROWS_PER_FLUSH).all()) {
        if (upTo && bytes + r.size > MAX_BYTES_PER_FLUSH) break;
        upTo = r.id;
        bytes += r.size;
      }
      const rows = upTo ? this.db.select().from(outbox).where(lte(outbox.id, upTo)).orderBy(outbox.id).all() : [];
      if (rows.length === 0) {
        if (this.schedule.has(FLUSH_TASK)) this.schedule.done(FLUSH_TASK);
        return;
      }
      await applyLedgerWrites(this.d1, rows.map((r) => JSON.parse(r.payload) as LedgerWrite));
      this.db.delete(outbox).where(lte(outbox.id, rows[rows.length - 1].id)).run();
    }
  }
}
