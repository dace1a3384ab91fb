import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The D1 ledger: the system of record. Rows are appended by the DOs' outboxes with idempotent
 * inserts keyed by hash; `body` holds the signed object exactly as signed (JSON), so verifiers
 * check what is stored rather than a reconstruction from columns.
 */
export const auditEntries = sqliteTable(
  "audit_entries",
  {
    hash: text("hash").primaryKey(),
    cluster: text("cluster").notNull(),
    seq: integer("seq").notNull(),
    ts: text("ts").notNull(),
    event: text("event").notNull(),
    actor: text("actor").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
  },
  (t) => [uniqueIndex("audit_cluster_seq").on(t.cluster, t.seq)],
);

export const receipts = sqliteTable(
  "receipts",
  {
    hash: text("hash").primaryKey(),
    cluster: text("cluster").notNull(),
    app: text("app").notNull(),
    node: text("node").notNull(),
    container: text("container").notNull(),
    op: text("op").notNull(),
    ts: text("ts").notNull(),
    prevHash: text("prev_hash").notNull(),
    body: text("body").notNull(),
    blockHeight: integer("block_height"),
    leafIndex: integer("leaf_index"),
  },
  (t) => [
    index("receipts_block").on(t.cluster, t.app, t.blockHeight, t.leafIndex),
    index("receipts_container").on(t.cluster, t.app, t.container),
  ],
);

export const blocks = sqliteTable(
  "blocks",
  {
    cluster: text("cluster").notNull(),
    app: text("app").notNull(),
    height: integer("height").notNull(),
    hash: text("hash").notNull(),
    prev: text("prev").notNull(),
    merkleRoot: text("merkle_root").notNull(),
    count: integer("count").notNull(),
    body: text("body").notNull(),
  },
  (t) => [primaryKey({ columns: [t.cluster, t.app, t.height] }), uniqueIndex("blocks_hash").on(t.hash)],
);

/**
 * The httpcg shadow registry: every version of every host, append-only (RegistryDO is the single
 * writer per host). The current record is the highest version; `record` is null when that version
 * removed the host. `audit_hash` links the version to the AuditEntry that announced it.
 */
export const registryHosts = sqliteTable(
  "registry_hosts",
  {
    host: text("host").notNull(),
    version: integer("version").notNull(),
    owner: text("owner").notNull(),
    actor: text("actor").notNull(),
    deleted: integer("deleted", { mode: "boolean" }).notNull(),
    record: text("record"),
    ts: text("ts").notNull(),
    auditHash: text("audit_hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.version] })],
);

/** did:bpi documents: every version, append-only; deactivation is a last version with deactivated = 1. */
export const didVersions = sqliteTable(
  "did_versions",
  {
    did: text("did").notNull(),
    version: integer("version").notNull(),
    actor: text("actor").notNull(),
    document: text("document").notNull(),
    deactivated: integer("deactivated", { mode: "boolean" }).notNull(),
    created: text("created").notNull(),
    updated: text("updated").notNull(),
    auditHash: text("audit_hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.did, t.version] }), index("did_versions_updated").on(t.did, t.updated)],
);
