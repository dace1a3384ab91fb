import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Tables every BaseDO carries; each DO's schema module re-exports them so drizzle-kit sees one schema per DO. */

/** One row per task; the DO's single alarm is always set to the earliest `due_at`. */
export const schedule = sqliteTable("schedule", {
  task: text("task").primaryKey(),
  due_at: integer("due_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
});

/** Ledger rows owed to D1, written in the same transaction as the change that owes them. */
export const outbox = sqliteTable("outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  payload: text("payload").notNull(),
});
