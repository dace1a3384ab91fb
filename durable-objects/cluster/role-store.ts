import { asc, eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { RoleBinding } from "../../protocol/api/cluster.ts";
import type { Role } from "../../protocol/api/common.ts";
import { roles } from "./schema.ts";

export class RoleStore {
  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly sqlite: SqlStorage,
  ) {}

  // Raw: every action checks the caller's role (a deploy three times), and drizzle's query
  // building cost more than the read (as for the cluster record, meta-store.ts).
  of(address: string): Role | undefined {
    return this.sqlite.exec("SELECT role AS v FROM roles WHERE address = ?", address).toArray()[0]?.v as Role | undefined;
  }

  set(address: string, role: Role, grantedBy: string, at: string): void {
    const row = { address, role, granted_by: grantedBy, granted_at: at };
    this.db.insert(roles).values(row).onConflictDoUpdate({ target: roles.address, set: { role, granted_by: grantedBy, granted_at: at } }).run();
  }

  remove(address: string): void {
    this.db.delete(roles).where(eq(roles.address, address)).run();
  }

  list(): RoleBinding[] {
    return this.db.select().from(roles).orderBy(asc(roles.granted_at), asc(roles.address)).all();
  }
}
