import { eq, lte, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { schedule } from "./schema.ts";

const KEEP_BACKOFF = "ON CONFLICT (task) DO UPDATE SET due_at = CASE WHEN attempts > 0 THEN due_at ELSE MIN(due_at, excluded.due_at) END";

/**
 * The single alarm of a DO is driven by this table: every task has a due time; the alarm is
 * always set to the earliest one. Tasks are idempotent, so running one twice is harmless.
 */
export class Schedule {
  // Built once: the outbox asks on every ledger row.
  private readonly byTask;

  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly storage: DurableObjectStorage,
  ) {
    this.byTask = db.select({ attempts: schedule.attempts }).from(schedule).where(eq(schedule.task, sql.placeholder("task"))).prepare();
  }

  /**
   * Schedules `task` at `dueAt` unless it is already due earlier, or is waiting out a back-off
   * after a failure: new work must not pull a retry forward, or a dependency that is down (a
   * witness, D1) is hit on every state change and the back-off never grows. The retry runs
   * with the newest state anyway.
   */
  at(task: string, dueAt: number): void {
    this.atMany([[task, dueAt]]);
  }

  /**
   * `at` for several tasks, setting the alarm once: a seal schedules three tasks, and each
   * setAlarm (with its MIN query) cost as much as the upsert (docs/PERFORMANCE.md).
   */
  atMany(tasks: readonly (readonly [string, number])[]): void {
    if (tasks.length === 1) {
      this.storage.sql.exec(`INSERT INTO schedule (task, due_at) VALUES (?, ?) ${KEEP_BACKOFF}`, tasks[0][0], tasks[0][1]);
    } else if (tasks.length > 1) {
      // One statement for all (`WHERE true`: SQLite's upsert after a SELECT needs it to parse).
      this.storage.sql.exec(
        `INSERT INTO schedule (task, due_at) SELECT value->>0, value->>1 FROM json_each(?) WHERE true ${KEEP_BACKOFF}`,
        JSON.stringify(tasks),
      );
    }
    this.arm();
  }

  /**
   * Back-off after a failure: the task is due at `dueAt` with one more attempt than `prior` (the
   * count the failed run started with). An upsert, because a task may have called done() before
   * the work that failed (its work re-schedules it); an update would then lose the retry.
   */
  retry(task: string, dueAt: number, prior: number = this.attempts(task)): number {
    this.storage.sql.exec(
      "INSERT INTO schedule (task, due_at, attempts) VALUES (?, ?, ?) ON CONFLICT (task) DO UPDATE SET due_at = excluded.due_at, attempts = MAX(attempts + 1, excluded.attempts)",
      task,
      dueAt,
      prior + 1,
    );
    this.arm();
    return this.attempts(task);
  }

  done(task: string): void {
    this.db.delete(schedule).where(eq(schedule.task, task)).run();
    this.arm();
  }

  due(now: number): { task: string; attempts: number }[] {
    return this.db.select({ task: schedule.task, attempts: schedule.attempts }).from(schedule).where(lte(schedule.due_at, now)).orderBy(schedule.due_at).all();
  }

  attempts(task: string): number {
    return this.byTask.get({ task })?.attempts ?? 0;
  }

  has(task: string): boolean {
    return this.byTask.get({ task }) !== undefined;
  }

  /** Sets the alarm to the earliest task; after an alarm ran, the platform has none set. */
  arm(): void {
    // Raw: on every seal and schedule change, and drizzle built the statement anew each time.
    const next = this.storage.sql.exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM schedule").one().due;
    if (next == null) void this.storage.deleteAlarm();
    else void this.storage.setAlarm(next);
  }
}
