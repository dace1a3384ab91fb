/** Rows of a raw query as plain objects (for modules not yet on a typed drizzle store). */
export function all<T extends object>(sql: SqlStorage, query: string, ...bindings: unknown[]): T[] {
  return sql.exec(query, ...bindings).toArray() as unknown as T[];
}

export function one<T extends object>(sql: SqlStorage, query: string, ...bindings: unknown[]): T | undefined {
  return all<T>(sql, query, ...bindings)[0];
}
