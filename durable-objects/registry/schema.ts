import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export * from "../shared/schema.ts";
export * from "../shared/audit-schema.ts";

/** Every version of the one name a RegistryDO holds, as the JSON row the ledger receives. */
export const versions = sqliteTable("versions", {
  version: integer("version").primaryKey(),
  body: text("body").notNull(),
});
