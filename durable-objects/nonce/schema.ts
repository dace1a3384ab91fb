import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const nonces = sqliteTable("nonces", {
  nonce: text("nonce").primaryKey(),
  forget_at: integer("forget_at").notNull(),
});
