import { one } from "../shared/rows.ts";

/** The version rows of the one name a RegistryDO holds (see migrations.ts). */
export class Versions<Row extends { version: number }> {
  constructor(private readonly sql: SqlStorage) {}

  current(): Row | undefined {
    const r = one<{ body: string }>(this.sql, "SELECT body FROM versions ORDER BY version DESC LIMIT 1");
    return r && (JSON.parse(r.body) as Row);
  }

  insert(row: Row): void {
    this.sql.exec("INSERT INTO versions (version, body) VALUES (?, ?)", row.version, JSON.stringify(row));
  }
}
