import { blob, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    /**
     * Block placement as rows sealed before migration 0005 stored it. Never written since, never
     * read: a block takes the pending receipts in seq order, so its seq range on `blocks` says
     * which receipts it holds and where (docs/PERFORMANCE.md, "Sixth pass: the seal").
     */
    block_height: integer("block_height"),
    leaf_index: integer("leaf_index"),
    body: text("body").notNull(),
    /** Position in the app's C2SP log as stored before migration 0005 (see block_height). */
    tlog_index: integer("tlog_index"),
    /** 1: `body` is the receipt's JCS, its C2SP log entry as is (rows stored before it: NULL). */
    body_jcs: integer("body_jcs"),
    /** SHA-256(0x00 ‖ body): its C2SP leaf hash, taken at admission (rows stored before it: NULL). */
    leaf_hash: blob("leaf_hash"),
  },
  (t) => [
    // A chain may not fork: one successor per predecessor (genesis included) per container.
    uniqueIndex("receipts_chain").on(t.node, t.container, t.prev_hash),
    // No pending index: a receipt is pending iff its seq is past the last block's last_seq, a
    // range of the table's own b-tree, so neither an ingest nor a seal maintains one.
  ],
);

/**
 * A block holds the receipts seq first_seq..last_seq (the rows between, in seq order, are its
 * leaves), and they are entries tlog_start.. of the app's C2SP log. Receipts are sealed
 * oldest first and seq only grows, so the sealed receipts are a prefix of seq order and each
 * block a contiguous range of it: the seal writes this one row, not one per receipt.
 */
export const blocks = sqliteTable(
  "blocks",
  {
    height: integer("height").primaryKey(),
    hash: text("hash").notNull().unique(),
    body: text("body").notNull(),
    first_seq: integer("first_seq"),
    last_seq: integer("last_seq"),
    tlog_start: integer("tlog_start"),
  },
  (t) => [
    // A receipt's block (by seq), a log entry's block (by log index).
    uniqueIndex("blocks_last_seq").on(t.last_seq),
    uniqueIndex("blocks_tlog_start").on(t.tlog_start),
  ],
);

/** Events owed to the ClusterDO's audit chain, delivered by the alarm until confirmed. */
export const deliveries = sqliteTable("deliveries", {
  key: text("key").primaryKey(),
  payload: text("payload").notNull(),
});
