import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export * from "../shared/schema.ts";

/** A random challenge, its expiry and whether it was used; nothing else about the requester. */
export const challenges = sqliteTable("challenges", {
  challenge: text("challenge").primaryKey(),
  did: text("did"),
  expires_ms: integer("expires_ms").notNull(),
  used: integer("used").notNull().default(0),
});
