import { AUDIT_SQL } from "../shared/audit-log.ts";

export const CLUSTER_MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  AUDIT_SQL,
  `CREATE TABLE roles (
    address TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL
  )`,
  `CREATE TABLE join_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    used_by TEXT
  )`,
  `CREATE TABLE nodes (
    address TEXT PRIMARY KEY,
    node_type TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    labels TEXT NOT NULL,
    zone TEXT,
    status TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    last_heartbeat INTEGER,
    usage TEXT
  )`,
] as const;
