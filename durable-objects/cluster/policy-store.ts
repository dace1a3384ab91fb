import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { Policy, PolicyAction, PolicyMatch } from "../../protocol/api/policy.ts";
import { policies } from "./schema.ts";

/** The cluster's CEL policies, by name. */
export class PolicyStore {
  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly sqlite: SqlStorage,
  ) {}

  private static toPolicy(r: typeof policies.$inferSelect): Policy {
    return {
      name: r.name,
      expr: r.expr,
      action: r.action as PolicyAction,
      message: r.message,
      match: JSON.parse(r.match) as PolicyMatch[],
      hash: r.hash,
      created_by: r.created_by,
      created_at: r.created_at,
    };
  }

  // Raw: every governed action (a deploy) lists the policies, usually none; drizzle's query
  // building cost more than the read.
  list(): Policy[] {
    return this.sqlite
      .exec<typeof policies.$inferSelect>("SELECT name, expr, action, message, match, hash, created_by, created_at FROM policies ORDER BY name")
      .toArray()
      .map(PolicyStore.toPolicy);
  }

  get(name: string): Policy | undefined {
    const r = this.db.select().from(policies).where(eq(policies.name, name)).get();
    return r ? PolicyStore.toPolicy(r) : undefined;
  }

  put(p: Policy): void {
    this.db.insert(policies).values({ ...p, match: JSON.stringify(p.match) }).run();
  }

  remove(name: string): void {
    this.db.delete(policies).where(eq(policies.name, name)).run();
  }
}
