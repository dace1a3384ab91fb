import { LEGACY_AUDIT_SQL, LEGACY_BASE_STEPS } from "../shared/legacy-schema.ts";

/**
 * Frozen: every positional step ClusterDO ran before drizzle, in order (what `_schema.version`
 * counts). Only finishes a pre-drizzle database before its adoption (shared/migrate.ts) and makes
 * one in tests. Never edit; the schema lives in schema.ts.
 */
export const LEGACY_CLUSTER_STEPS: readonly string[] = [
  ...LEGACY_BASE_STEPS,
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  LEGACY_AUDIT_SQL,
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
  // Workloads and their replicas; `node` is null while a replica waits for room.
  `CREATE TABLE workloads (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    next_replica INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    workload TEXT NOT NULL,
    replica_type TEXT NOT NULL DEFAULT 'primary',
    node TEXT,
    status TEXT NOT NULL,
    container TEXT NOT NULL,
    endpoint TEXT,
    exit_code INTEGER,
    restarts INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    cpu_millis INTEGER NOT NULL,
    memory_mb INTEGER NOT NULL,
    storage_gb REAL NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX replicas_node ON replicas (node)`,
  `CREATE INDEX replicas_workload ON replicas (workload)`,
  // The tail of each replica's output (the full witness log stays on its node).
  `CREATE TABLE logs (
    replica TEXT NOT NULL,
    stream TEXT NOT NULL,
    offset INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (replica, stream, offset)
  )`,
  // Orchestration: health, spec versions for rolling updates, autoscaling memory.
  `ALTER TABLE replicas ADD COLUMN healthy INTEGER`,
  `ALTER TABLE replicas ADD COLUMN spec_version INTEGER NOT NULL DEFAULT 1`,
  `ALTER TABLE replicas ADD COLUMN cpu_percent REAL`,
  `CREATE TABLE workload_specs (name TEXT NOT NULL, version INTEGER NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (name, version))`,
  `CREATE TABLE scale_history (workload TEXT NOT NULL, at INTEGER NOT NULL, desired INTEGER NOT NULL)`,
  // Replays an admin asked a node to run (issue: node-agent, replay verification).
  `CREATE TABLE replays (
    id TEXT PRIMARY KEY,
    node TEXT NOT NULL,
    receipt TEXT NOT NULL,
    app TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT,
    replay_receipt TEXT,
    detail TEXT,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    finished_at TEXT
  )`,
];
