import { toHex, utf8, randomBytes } from "../../protocol/bytes.ts";
import { blake3 } from "../../protocol/hash.ts";
import { reject } from "../../domain/result.ts";
import { one } from "../shared/rows.ts";

/** Tokens are stored only as hashes: a leaked DO snapshot does not leak usable tokens. */
const digest = (token: string) => toHex(blake3(utf8(token)));

export class JoinTokens {
  constructor(private readonly sql: SqlStorage) {}

  issue(createdBy: string, ttlS: number, now: number): { token: string; expiresAt: number } {
    const token = "enc_jt_" + toHex(randomBytes(24));
    const expiresAt = now + ttlS * 1000;
    this.sql.exec("INSERT INTO join_tokens (token_hash, expires_at, created_by) VALUES (?, ?, ?)", digest(token), expiresAt, createdBy);
    this.sql.exec("DELETE FROM join_tokens WHERE expires_at < ?", now - 86_400_000);
    return { token, expiresAt };
  }

  /** Marks the token used by `node`; rejects unknown, expired and already used tokens alike. */
  consume(token: string, node: string, now: number): void {
    const row = one<{ expires_at: number; used_by: string | null }>(
      this.sql,
      "SELECT expires_at, used_by FROM join_tokens WHERE token_hash = ?",
      digest(token),
    );
    if (!row) reject(403, "the join token is not valid for this cluster", { field: "token" });
    if (row.used_by) reject(403, "the join token was already used", { field: "token" });
    if (row.expires_at < now) reject(403, "the join token has expired", { field: "token" });
    this.sql.exec("UPDATE join_tokens SET used_by = ? WHERE token_hash = ?", node, digest(token));
  }
}
