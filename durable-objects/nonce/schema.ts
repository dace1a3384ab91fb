import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const nonces = sqliteTable("nonces", {
  nonce: text("nonce").primaryKey(),
  forget_at: integer("forget_at").notNull(),
});

/**
 * Web console sessions of one wallet (in the NonceDO named `console:<address>`). Only the
 * SHA-256 of the cookie's secret is kept, so a copy of this table signs no one in.
 */
export const consoleSessions = sqliteTable("console_sessions", {
  id_hash: text("id_hash").primaryKey(),
  created_at: integer("created_at").notNull(),
  expires_at: integer("expires_at").notNull(),
  revoked_at: integer("revoked_at"),
  /** JSON array: the clusters the login token named, listed first by the console */
  clusters: text("clusters").notNull(),
});
