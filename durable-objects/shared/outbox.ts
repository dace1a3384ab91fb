import type { LedgerWrite } from "../../domain/ledger/writes.ts";
import { applyLedgerWrites } from "../../domain/ledger/writes.ts";
import type { Schedule } from "./schedule.ts";
import { all } from "./sql-migrate.ts";

export const OUTBOX_SQL = `CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  payload TEXT NOT NULL
)`;

const FLUSH_TASK = "flush";
const MAX_ROWS_PER_FLUSH = 400;
/** Back-off for a failing D1: 1 s, 2 s, 4 s … capped at 5 minutes; retries never stop. */
const backoffMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.min(attempts, 9));

/**
 * The transactional outbox: ledger rows are written into the DO's SQLite in the same
 * transaction as the state change that owes them, and a flush is scheduled in that transaction
 * too. So a DO evicted before the flush still has both the rows and the alarm that sends them.
 */
export class Outbox {
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly schedule: Schedule,
    private readonly d1: D1Database,
  ) {}

  /** Must be called inside the state change's synchronous transaction. */
  push(write: LedgerWrite): void {
    this.sql.exec("INSERT INTO outbox (payload) VALUES (?)", JSON.stringify(write));
    // One schedule row covers the whole outbox; re-arming per row would cost a setAlarm each.
    if (!this.schedule.has(FLUSH_TASK)) this.schedule.at(FLUSH_TASK, Date.now() + 5_000);
  }

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
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
      const rows = all<{ id: number; payload: string }>(this.sql, "SELECT id, payload FROM outbox ORDER BY id LIMIT ?", MAX_ROWS_PER_FLUSH);
      if (rows.length === 0) {
        if (this.schedule.has(FLUSH_TASK)) this.schedule.done(FLUSH_TASK);
        return;
      }
      await applyLedgerWrites(this.d1, rows.map((r) => JSON.parse(r.payload) as LedgerWrite));
      this.sql.exec("DELETE FROM outbox WHERE id <= ?", rows[rows.length - 1].id);
    }
  }
}
