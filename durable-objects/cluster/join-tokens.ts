import { toHex, utf8, randomBytes } from "../../protocol/bytes.ts";
import { blake3 } from "../../protocol/hash.ts";
import { reject } from "../../domain/result.ts";
import { eq, lt } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { joinTokens } from "./schema.ts";

/** Tokens are stored only as hashes: a leaked DO snapshot does not leak usable tokens. */
const digest = (token: string) => toHex(blake3(utf8(token)));

export class JoinTokens {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  issue(createdBy: string, ttlS: number, now: number): { token: string; expiresAt: number } {
    const token = "enc_jt_" + toHex(randomBytes(24));
    const expiresAt = now + ttlS * 1000;
    this.db.insert(joinTokens).values({ token_hash: digest(token), expires_at: expiresAt, created_by: createdBy }).run();
    this.db.delete(joinTokens).where(lt(joinTokens.expires_at, now - 86_400_000)).run();
    return { token, expiresAt };
  }

  /** Marks the token used by `node`; rejects unknown, expired and already used tokens alike. */
  consume(token: string, node: string, now: number): void {
    const row = this.db
      .select({ expires_at: joinTokens.expires_at, used_by: joinTokens.used_by })
      .from(joinTokens)
      .where(eq(joinTokens.token_hash, digest(token)))
      .get();
    if (!row) reject(403, "the join token is not valid for this cluster", { field: "token" });
    if (row.used_by) reject(403, "the join token was already used", { field: "token" });
    if (row.expires_at < now) reject(403, "the join token has expired", { field: "token" });
    this.db.update(joinTokens).set({ used_by: node }).where(eq(joinTokens.token_hash, digest(token))).run();
  }
}
