import type { RoleBinding } from "../../domain/schemas/cluster.ts";
import type { Role } from "../../domain/schemas/common.ts";
import { all, one } from "../shared/rows.ts";

export class RoleStore {
  constructor(private readonly sql: SqlStorage) {}

  of(address: string): Role | undefined {
    return one<{ role: string }>(this.sql, "SELECT role FROM roles WHERE address = ?", address)?.role as Role | undefined;
  }

  set(address: string, role: Role, grantedBy: string, at: string): void {
    this.sql.exec(
      `INSERT INTO roles (address, role, granted_by, granted_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (address) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
      address,
      role,
      grantedBy,
      at,
    );
  }

  remove(address: string): void {
    this.sql.exec("DELETE FROM roles WHERE address = ?", address);
  }

  list(): RoleBinding[] {
    return all<RoleBinding>(this.sql, "SELECT address, role, granted_by, granted_at FROM roles ORDER BY granted_at, address");
  }
}
