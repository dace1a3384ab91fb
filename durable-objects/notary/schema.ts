import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export * from "../shared/schema.ts";
export * from "../shared/tlog-schema.ts";

export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const receipts = sqliteTable(
  "receipts",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    hash: text("hash").notNull().unique(),
    node: text("node").notNull(),
    container: text("container").notNull(),
    prev_hash: text("prev_hash").notNull(),
    ts: text("ts").notNull(),
    accepted_at: integer("accepted_at").notNull(),
    block_height: integer("block_height"),
    leaf_index: integer("leaf_index"),
    body: text("body").notNull(),
    /** Position in the app's C2SP log (PROTOCOL.md §6): sealing order across blocks. */
    tlog_index: integer("tlog_index"),
  },
  (t) => [
    // A chain may not fork: one successor per predecessor (genesis included) per container.
    uniqueIndex("receipts_chain").on(t.node, t.container, t.prev_hash),
    index("receipts_pending").on(t.block_height, t.seq),
    // The window alarm's "oldest pending receipt" without scanning every pending row.
    index("receipts_pending_age").on(t.block_height, t.accepted_at),
    uniqueIndex("receipts_tlog").on(t.tlog_index),
  ],
);

export const blocks = sqliteTable("blocks", {
  height: integer("height").primaryKey(),
  hash: text("hash").notNull().unique(),
  body: text("body").notNull(),
});

/** Events owed to the ClusterDO's audit chain, delivered by the alarm until confirmed. */
export const deliveries = sqliteTable("deliveries", {
  key: text("key").primaryKey(),
  payload: text("payload").notNull(),
});
