import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The hash-chained audit log of a ClusterDO or RegistryDO (see audit-log.ts). */
export const audit = sqliteTable("audit", {
  seq: integer("seq").primaryKey(),
  hash: text("hash").notNull().unique(),
  event: text("event").notNull(),
  idempotency_key: text("idempotency_key").unique(),
  body: text("body").notNull(),
});
