import { DurableObject } from "cloudflare:workers";
import { and, count, eq, isNull, lte } from "drizzle-orm";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrateDO } from "../shared/migrate.ts";
import migrations from "./drizzle/migrations.js";
import { LEGACY_NONCE_STEPS } from "./legacy-schema.ts";
import { consoleSessions, nonces } from "./schema.ts";

/** A live console session as the Worker sees it. */
export interface ConsoleSessionRecord {
  created_at: number;
  expires_at: number;
  clusters: string[];
}

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

  // -- web console sessions (this instance is named `console:<wallet address>`) ---------------

  /** Stores a new session under the hash of its secret. */
  createSession(idHash: string, expiresAt: number, clusters: string[]): void {
    const now = Date.now();
    this.db.insert(consoleSessions).values({ id_hash: idHash, created_at: now, expires_at: expiresAt, clusters: JSON.stringify(clusters) }).run();
    void this.ctx.storage.getAlarm().then((a) => {
      if (a == null) void this.ctx.storage.setAlarm(now + 600_000);
    });
  }

  /** The session, if it exists, has not expired and was not revoked. */
  session(idHash: string): ConsoleSessionRecord | null {
    const row = this.db.select().from(consoleSessions).where(eq(consoleSessions.id_hash, idHash)).get();
    if (!row || row.revoked_at !== null || row.expires_at <= Date.now()) return null;
    return { created_at: row.created_at, expires_at: row.expires_at, clusters: JSON.parse(row.clusters) as string[] };
  }

  /** Revokes one session (logout), or every live one of this wallet; returns how many. */
  revokeSessions(idHash?: string): number {
    const live = and(isNull(consoleSessions.revoked_at), idHash ? eq(consoleSessions.id_hash, idHash) : undefined);
    return this.db.update(consoleSessions).set({ revoked_at: Date.now() }).where(live).returning({ id: consoleSessions.id_hash }).all().length;
  }

  async alarm(): Promise<void> {
    this.db.delete(nonces).where(lte(nonces.forget_at, Date.now())).run();
    // Expired and revoked sessions stay a day, so a late cookie is told "expired", then go.
    this.db.delete(consoleSessions).where(lte(consoleSessions.expires_at, Date.now() - 86_400_000)).run();
    const left = this.db.select({ n: count() }).from(nonces).get()!.n + this.db.select({ n: count() }).from(consoleSessions).get()!.n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + 600_000);
  }
}
