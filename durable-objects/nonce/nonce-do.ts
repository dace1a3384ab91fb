import { DurableObject } from "cloudflare:workers";
import { migrateSql } from "../shared/sql-migrate.ts";

/**
 * Replay protection for signed requests, one instance per signing key (so the store scales
 * with the number of wallets, not with one global hot spot). A nonce is remembered until its
 * signature could no longer be accepted anyway (the 300 s window), then forgotten.
 */
export class NonceDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrateSql(ctx.storage.sql, ["CREATE TABLE nonces (nonce TEXT PRIMARY KEY, forget_at INTEGER NOT NULL)"]);
    });
  }

  /** True the first time a nonce is seen; false for a replay. */
  use(nonce: string, forgetAt: number): boolean {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const seen = sql.exec("SELECT forget_at FROM nonces WHERE nonce = ?", nonce).toArray()[0] as { forget_at: number } | undefined;
    if (seen && seen.forget_at > now) return false;
    sql.exec(
      "INSERT INTO nonces (nonce, forget_at) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET forget_at = excluded.forget_at",
      nonce,
      forgetAt,
    );
    void this.ctx.storage.getAlarm().then((a) => {
      if (a == null) void this.ctx.storage.setAlarm(now + 600_000);
    });
    return true;
  }

  async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM nonces WHERE forget_at <= ?", Date.now());
    const left = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM nonces").one().n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + 600_000);
  }
}
