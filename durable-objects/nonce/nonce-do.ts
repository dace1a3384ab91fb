import { DurableObject } from "cloudflare:workers";
import { count, eq, lte } from "drizzle-orm";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrateDO } from "../shared/migrate.ts";
import migrations from "./drizzle/migrations.js";
import { LEGACY_NONCE_STEPS } from "./legacy-schema.ts";
import { nonces } from "./schema.ts";

/**
 * Replay protection for signed requests, one instance per signing key (so the store scales
 * with the number of wallets, not with one global hot spot). A nonce is remembered until its
 * signature could no longer be accepted anyway (the 300 s window), then forgotten.
 */
export class NonceDO extends DurableObject<Env> {
  private readonly db: DrizzleSqliteDODatabase;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = drizzle(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      await migrateDO(ctx.storage, { bundle: migrations, legacy: LEGACY_NONCE_STEPS });
    });
  }

  /** True the first time a nonce is seen; false for a replay. */
  use(nonce: string, forgetAt: number): boolean {
    const now = Date.now();
    const seen = this.db.select({ forget_at: nonces.forget_at }).from(nonces).where(eq(nonces.nonce, nonce)).get();
    if (seen && seen.forget_at > now) return false;
    this.db
      .insert(nonces)
      .values({ nonce, forget_at: forgetAt })
      .onConflictDoUpdate({ target: nonces.nonce, set: { forget_at: forgetAt } })
      .run();
    void this.ctx.storage.getAlarm().then((a) => {
      if (a == null) void this.ctx.storage.setAlarm(now + 600_000);
    });
    return true;
  }

  async alarm(): Promise<void> {
    this.db.delete(nonces).where(lte(nonces.forget_at, Date.now())).run();
    const left = this.db.select({ n: count() }).from(nonces).get()!.n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + 600_000);
  }
}
