/**
 * Makes a DO's storage what today's (pre-drizzle) code would have left: the positional steps run
 * by hand, a `_schema` row counting them, no `__drizzle_migrations`, and the same data rows.
 */
const userTables = (sql: SqlStorage) =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .toArray()
    .map((r) => r.name);

export function rewriteAsLegacy(storage: DurableObjectStorage, steps: readonly string[], ranSteps = steps.length): void {
  const sql = storage.sql;
  const data = new Map<string, Record<string, SqlStorageValue>[]>();
  for (const t of userTables(sql)) if (t !== "__drizzle_migrations") data.set(t, sql.exec(`SELECT * FROM "${t}"`).toArray());
  for (const t of userTables(sql)) sql.exec(`DROP TABLE "${t}"`);
  // Exactly what today's migrateSql did.
  sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
  sql.exec("INSERT INTO _schema (version) VALUES (?)", ranSteps);
  for (const step of steps.slice(0, ranSteps)) sql.exec(step);
  for (const [t, rows] of data) {
    if (!userTables(sql).includes(t)) continue;
    // Columns added by later migrations are not in the legacy table (they are empty then).
    const legacyCols = new Set(sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${t}')`).toArray().map((c) => c.name));
    for (const row of rows) {
      const cols = Object.keys(row).filter((c) => legacyCols.has(c));
      sql.exec(`INSERT INTO "${t}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`, ...cols.map((c) => row[c]));
    }
  }
}

/** Tables, columns and indexes (by columns, not by name) of a database, for comparing two of them. */
export function describeSchema(sql: SqlStorage) {
  const out: Record<string, unknown> = {};
  for (const t of userTables(sql).filter((n) => !["_schema", "__drizzle_migrations"].includes(n)).sort()) {
    const columns = sql
      .exec<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(`PRAGMA table_info("${t}")`)
      .toArray()
      // SQLite lets a non-integer PRIMARY KEY hold NULL unless declared NOT NULL; drizzle declares it.
      .map((c) => ({ name: c.name, type: c.type.toLowerCase(), notnull: c.pk ? 1 : c.notnull, dflt: c.dflt_value, pk: c.pk }));
    const indexes = sql
      .exec<{ name: string; unique: number }>(`PRAGMA index_list("${t}")`)
      .toArray()
      .map((i) => `${i.unique ? "unique " : ""}(${sql.exec<{ name: string }>(`PRAGMA index_info("${i.name}")`).toArray().map((c) => c.name).join(",")})`)
      .sort();
    out[t] = { columns, indexes };
  }
  return out;
}
