import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";

/** What drizzle-kit's `durable-sqlite` driver generates as drizzle/migrations.js. */
export interface MigrationBundle {
  journal: { entries: { idx: number; when: number; tag: string; breakpoints: boolean }[] };
  migrations: Record<string, string>;
}

export interface DOSchema {
  /** drizzle/migrations.js of this DO. */
  bundle: MigrationBundle;
  /** The positional SQL steps this DO ran before drizzle (frozen); its drizzle baseline is their end state. */
  legacy: readonly string[];
}

const DRIZZLE_TABLE = "__drizzle_migrations";

const tableExists = (sql: SqlStorage, name: string) =>
  sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;

/**
 * Brings a database made before drizzle onto drizzle's books: finishes its positional steps
 * (`_schema.version` counts those already run), records the baseline migration as applied the way
 * drizzle's durable-sqlite migrator does (its `created_at` is the journal's `when`; it stores no
 * hash), and drops `_schema`. All in one transaction, so a failure leaves the old books intact.
 */
export function adoptLegacySchema(storage: DurableObjectStorage, schema: DOSchema): boolean {
  const sql = storage.sql;
  if (!tableExists(sql, "_schema") || tableExists(sql, DRIZZLE_TABLE)) return false;
  const baseline = schema.bundle.journal.entries[0];
  storage.transactionSync(() => {
    const version = sql.exec<{ version: number }>("SELECT version FROM _schema").toArray()[0]?.version ?? 0;
    for (const step of schema.legacy.slice(version)) sql.exec(step);
    // Same DDL as drizzle's migrator, so its later CREATE TABLE IF NOT EXISTS is a no-op.
    sql.exec(`CREATE TABLE ${DRIZZLE_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
    sql.exec(`INSERT INTO ${DRIZZLE_TABLE} ("hash", "created_at") VALUES ('', ?)`, baseline.when);
    sql.exec("DROP TABLE _schema");
  });
  return true;
}

/**
 * Migrates a DO's SQLite by migration name (the journal), never by position in a shared list.
 * Call inside the constructor's blockConcurrencyWhile: no request may see a half-migrated database.
 */
export async function migrateDO(storage: DurableObjectStorage, schema: DOSchema): Promise<void> {
  adoptLegacySchema(storage, schema);
  await migrate(drizzle(storage), schema.bundle);
}
