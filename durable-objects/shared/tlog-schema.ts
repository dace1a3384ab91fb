import { blob, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * A DO's C2SP transparency log (PROTOCOL.md §6; see tlog-store.ts): every complete subtree hash
 * (level, index) of the RFC 6962 SHA-256 tree, so tiles and proofs are reads, never rebuilds.
 */
export const tlogHashes = sqliteTable(
  "tlog_hashes",
  {
    level: integer("level").notNull(),
    idx: integer("idx").notNull(),
    hash: blob("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

/** Every checkpoint the log signed, by size (one per seal or audit flush). */
export const tlogCheckpoints = sqliteTable("tlog_checkpoints", {
  size: integer("size").primaryKey(),
  note: text("note").notNull(),
  signed_at: integer("signed_at").notNull(),
});
