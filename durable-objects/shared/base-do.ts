import { DurableObject } from "cloudflare:workers";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrateDO, type DOSchema } from "./migrate.ts";
import { Outbox, type OutboxRef } from "./outbox.ts";
import type { LedgerWrite } from "../../domain/ledger/writes.ts";
import { Schedule } from "./schedule.ts";

const RETRY_CAP_MS = 300_000;

/** A task failure its task has logged already (or chose not to repeat): retried with back-off, unlogged. */
export class QuietRetry extends Error {}

/** No table of its own (SQLite's and the runtime's internal ones aside): nothing was ever written. */
const isBlank = (sql: SqlStorage) =>
  sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' LIMIT 1").toArray().length === 0;

/**
 * What every ENC Durable Object shares: its SQLite schema migrated before any request, the
 * schedule table behind its one alarm, and the ledger outbox. Subclasses name their tasks.
 */
export abstract class BaseDO extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly db: DrizzleSqliteDODatabase;
  protected readonly schedule: Schedule;
  protected readonly outbox: Outbox;
  /** False while a DO that defers its schema (deferSchema) has never been written. */
  private migrated = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.db = drizzle(ctx.storage);
    this.schedule = new Schedule(this.db, ctx.storage);
    this.outbox = new Outbox(this.db, this.schedule, env.LEDGER, this.outboxDelayMs(), (ref) => this.resolveOutboxRef(ref));
    // An error here must surface (rethrown): a DO on a half-applied schema must not serve.
    void ctx.blockConcurrencyWhile(async () => {
      if (this.deferSchema() && isBlank(ctx.storage.sql)) return;
      await this.ensureSchema();
    });
  }

  /**
   * Whether a DO with empty storage stays unmigrated until its first write (ensureSchema): one
   * addressed by a name anyone may probe (an app's log) must not persist a database for each.
   */
  protected deferSchema(): boolean {
    return false;
  }

  /** True while this DO's storage is empty and unmigrated: reads answer from nothing, without tables. */
  protected get blank(): boolean {
    return !this.migrated;
  }

  /**
   * Migrates the schema if it is not yet; call before a deferred DO's first write. drizzle's
   * durable-sqlite migrator runs synchronously in one transaction, so no request interleaves.
   */
  protected async ensureSchema(): Promise<void> {
    if (this.migrated) return;
    await migrateDO(this.ctx.storage, this.schema());
    this.migrated = true;
  }

  /** How long ledger rows may wait for the flush alarm (a state change that must be read back at once flushes itself). */
  protected outboxDelayMs(): number {
    return 5_000;
  }

  /** What an OutboxRef this DO pushed stands for (see outbox.ts): audit entries by seq here. */
  protected resolveOutboxRef(ref: OutboxRef): LedgerWrite {
    if (ref.table !== "audit") throw new Error(`${this.constructor.name} keeps no ${ref.table}`);
    const bodies = this.sql.exec<{ body: string }>("SELECT body FROM audit WHERE seq >= ? AND seq <= ? ORDER BY seq", ref.from, ref.to).toArray().map((r) => r.body);
    return { kind: "audit_bodies", bodies };
  }

  /** This DO's drizzle migrations (its schema module includes the shared tables) and its pre-drizzle steps. */
  protected abstract schema(): DOSchema;

  /** Runs one due task; throwing reschedules it with back-off. */
  protected abstract runTask(task: string, attempts: number): Promise<void>;

  async alarm(): Promise<void> {
    // Whatever woke the DO, ledger rows owed to D1 go first: flushing early is harmless.
    if (this.outbox.pending() > 0) await this.outbox.flushFromAlarm(this.schedule.attempts("flush"));
    for (const { task, attempts } of this.schedule.due(Date.now())) {
      if (task === "flush") continue;
      try {
        await this.runTask(task, attempts);
      } catch (e) {
        if (!(e instanceof QuietRetry)) console.error(`task ${task} failed (attempt ${attempts + 1})`, (e as Error).message);
        this.schedule.retry(task, Date.now() + Math.min(RETRY_CAP_MS, 1000 * 2 ** Math.min(attempts, 9)), attempts);
      }
    }
    // An alarm that fired early (or was run by hand) consumed the platform's alarm: re-arm for
    // whatever is still scheduled, or the remaining tasks would never run.
    this.schedule.arm();
  }

  /** Flushes the outbox now; a failure is left to the alarm, never to the caller. */
  protected async flushSoon(): Promise<void> {
    try {
      await this.outbox.flush();
    } catch (e) {
      console.error("ledger flush deferred to alarm:", (e as Error).message);
    }
  }
}
