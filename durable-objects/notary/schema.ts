import { sql } from "drizzle-orm";
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
    /** 1: `body` is the receipt's JCS, its C2SP log entry as is (rows stored before it: NULL). */
    body_jcs: integer("body_jcs"),
  },
  (t) => [
    // A chain may not fork: one successor per predecessor (genesis included) per container.
    uniqueIndex("receipts_chain").on(t.node, t.container, t.prev_hash),
    // Pending receipts only, in sealing order: the seal's rows, their count, and the window
    // alarm's oldest one (accepted_at grows with seq), from an index that holds nothing else.
    // Partial indexes cost an ingest nothing for what it does not yet have (docs/PERFORMANCE.md).
    index("receipts_pending").on(t.seq).where(sql.raw("block_height IS NULL")),
    uniqueIndex("receipts_tlog").on(t.tlog_index).where(sql.raw("tlog_index IS NOT NULL")),
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
