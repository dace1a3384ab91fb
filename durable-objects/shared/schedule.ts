import { all, one } from "./sql-migrate.ts";

export const SCHEDULE_SQL = `CREATE TABLE IF NOT EXISTS schedule (
  task TEXT PRIMARY KEY,
  due_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
)`;

/**
 * The single alarm of a DO is driven by this table: every task has a due time; the alarm is
 * always set to the earliest one. Tasks are idempotent, so running one twice is harmless.
 */
export class Schedule {
  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
  ) {}

  /** Schedules `task` at `dueAt` unless it is already due earlier. */
  at(task: string, dueAt: number): void {
    this.sql.exec(
      `INSERT INTO schedule (task, due_at) VALUES (?, ?)
       ON CONFLICT (task) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)`,
      task,
      dueAt,
    );
    this.arm();
  }

  /** Replaces the due time (used for back-off after a failure). */
  retry(task: string, dueAt: number): number {
    this.sql.exec("UPDATE schedule SET due_at = ?, attempts = attempts + 1 WHERE task = ?", dueAt, task);
    this.arm();
    return one<{ attempts: number }>(this.sql, "SELECT attempts FROM schedule WHERE task = ?", task)?.attempts ?? 0;
  }

  done(task: string): void {
    this.sql.exec("DELETE FROM schedule WHERE task = ?", task);
    this.arm();
  }

  due(now: number): { task: string; attempts: number }[] {
    return all<{ task: string; attempts: number }>(this.sql, "SELECT task, attempts FROM schedule WHERE due_at <= ? ORDER BY due_at", now);
  }

  attempts(task: string): number {
    return one<{ attempts: number }>(this.sql, "SELECT attempts FROM schedule WHERE task = ?", task)?.attempts ?? 0;
  }

  has(task: string): boolean {
    return one(this.sql, "SELECT 1 AS x FROM schedule WHERE task = ?", task) !== undefined;
  }

  /** Sets the alarm to the earliest task; after an alarm ran, the platform has none set. */
  arm(): void {
    const next = one<{ due: number | null }>(this.sql, "SELECT MIN(due_at) AS due FROM schedule")?.due;
    if (next == null) void this.storage.deleteAlarm();
    else void this.storage.setAlarm(next);
  }
}
