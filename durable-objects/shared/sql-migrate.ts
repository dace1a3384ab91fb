/**
 * Forward-only schema migrations for a Durable Object's SQLite. Each entry runs once, in order,
 * inside the constructor's blockConcurrencyWhile so no request sees a half-migrated database.
 */
export function migrateSql(sql: SqlStorage, steps: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM _schema").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO _schema (version) VALUES (0)");
  for (; version < steps.length; version++) {
    sql.exec(steps[version]);
    sql.exec("UPDATE _schema SET version = ?", version + 1);
  }
}

/** Rows of a query as plain objects. */
export function all<T extends object>(sql: SqlStorage, query: string, ...bindings: unknown[]): T[] {
  return sql.exec(query, ...bindings).toArray() as unknown as T[];
}

export function one<T extends object>(sql: SqlStorage, query: string, ...bindings: unknown[]): T | undefined {
  return all<T>(sql, query, ...bindings)[0];
}
