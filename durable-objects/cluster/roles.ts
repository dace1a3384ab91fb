import type { Role } from "../../protocol/api/common.ts";

/** Management roles are ordered; `node` stands apart (agents act only as themselves). */
const RANK: Record<Exclude<Role, "node">, number> = { viewer: 1, operator: 2, admin: 3, owner: 4 };

export function satisfies(held: Role | undefined, needed: Role): boolean {
  if (!held) return false;
  if (needed === "node") return held === "node";
  if (held === "node") return false;
  return RANK[held] >= RANK[needed];
}

/** Who may grant or revoke `target`: admins manage operators and viewers; only the owner manages admins. */
export function canManage(actorRole: Role | undefined, target: Role): boolean {
  if (target === "owner" || target === "node") return false;
  if (target === "admin") return actorRole === "owner";
  return satisfies(actorRole, "admin");
}
