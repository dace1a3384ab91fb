/**
 * Frozen: the shared tables as today's positional migrations created them (BaseDO ran these two
 * first, before each subclass's steps). Used only to finish a pre-drizzle database before it is
 * adopted onto the drizzle baseline (see migrate.ts). Never edit; new schema goes to schema.ts.
 */
export const LEGACY_SCHEDULE_SQL = `CREATE TABLE IF NOT EXISTS schedule (
  task TEXT PRIMARY KEY,
  due_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
)`;

export const LEGACY_OUTBOX_SQL = `CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  payload TEXT NOT NULL
)`;

export const LEGACY_AUDIT_SQL = `CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  body TEXT NOT NULL
)`;

/** The prefix BaseDO put before every subclass's steps. */
export const LEGACY_BASE_STEPS = [LEGACY_SCHEDULE_SQL, LEGACY_OUTBOX_SQL] as const;
