import { DurableObject } from "cloudflare:workers";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrateDO, type DOSchema } from "./migrate.ts";
import { Outbox, type OutboxRef } from "./outbox.ts";
import type { LedgerWrite } from "../../domain/ledger/writes.ts";
import { Schedule } from "./schedule.ts";

const RETRY_CAP_MS = 300_000;

/**
 * What every ENC Durable Object shares: its SQLite schema migrated before any request, the
 * schedule table behind its one alarm, and the ledger outbox. Subclasses name their tasks.
 */
export abstract class BaseDO extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly db: DrizzleSqliteDODatabase;
  protected readonly schedule: Schedule;
  protected readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.db = drizzle(ctx.storage);
    this.schedule = new Schedule(this.db, ctx.storage);
    this.outbox = new Outbox(this.db, this.schedule, env.LEDGER, this.outboxDelayMs(), (ref) => this.resolveOutboxRef(ref));
    // An error here must surface (rethrown): a DO on a half-applied schema must not serve.
    void ctx.blockConcurrencyWhile(async () => {
      await migrateDO(ctx.storage, this.schema());
    });
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
        console.error(`task ${task} failed (attempt ${attempts + 1})`, (e as Error).message);
        this.schedule.retry(task, Date.now() + Math.min(RETRY_CAP_MS, 1000 * 2 ** Math.min(attempts, 9)));
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
