import { desc } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { versions } from "./schema.ts";

/** The version rows of the one name a RegistryDO holds (see schema.ts). */
export class Versions<Row extends { version: number }> {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  current(): Row | undefined {
    const r = this.db.select({ body: versions.body }).from(versions).orderBy(desc(versions.version)).limit(1).get();
    return r && (JSON.parse(r.body) as Row);
  }

  insert(row: Row): void {
    this.db.insert(versions).values({ version: row.version, body: JSON.stringify(row) }).run();
  }
}
