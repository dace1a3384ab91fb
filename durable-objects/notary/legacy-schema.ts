import { LEGACY_BASE_STEPS } from "../shared/legacy-schema.ts";

/** Frozen: every positional step NotaryDO ran before drizzle (see cluster/legacy-schema.ts). */
export const LEGACY_NOTARY_STEPS: readonly string[] = [
  ...LEGACY_BASE_STEPS,
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE receipts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    hash TEXT NOT NULL UNIQUE,
    node TEXT NOT NULL,
    container TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    ts TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    block_height INTEGER,
    leaf_index INTEGER,
    body TEXT NOT NULL
  )`,
  // A chain may not fork: one successor per predecessor (genesis included) per container.
  `CREATE UNIQUE INDEX receipts_chain ON receipts (node, container, prev_hash)`,
  `CREATE INDEX receipts_pending ON receipts (block_height, seq)`,
  `CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, body TEXT NOT NULL)`,
  // Events owed to the ClusterDO's audit chain, delivered by the alarm until confirmed.
  `CREATE TABLE deliveries (key TEXT PRIMARY KEY, payload TEXT NOT NULL)`,
];
