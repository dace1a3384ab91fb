import { asc, eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { RoleBinding } from "../../protocol/api/cluster.ts";
import type { Role } from "../../protocol/api/common.ts";
import { roles } from "./schema.ts";

export class RoleStore {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  of(address: string): Role | undefined {
    return this.db.select({ role: roles.role }).from(roles).where(eq(roles.address, address)).get()?.role;
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
