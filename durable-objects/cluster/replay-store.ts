import { and, asc, desc, eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { replays } from "./schema.ts";

export type ReplayView = typeof replays.$inferSelect;

/** Replays an admin asked a node to run, and what the node answered. */
export class ReplayStore {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  add(r: Pick<ReplayView, "id" | "node" | "receipt" | "app" | "requested_by" | "requested_at">): void {
    this.db.insert(replays).values({ ...r, status: "requested" }).run();
  }

  get(id: string): ReplayView | undefined {
    return this.db.select().from(replays).where(eq(replays.id, id)).get();
  }

  pendingOn(node: string): { id: string; receipt: string; app: string }[] {
    return this.db
      .select({ id: replays.id, receipt: replays.receipt, app: replays.app })
      .from(replays)
      .where(and(eq(replays.node, node), eq(replays.status, "requested")))
      .orderBy(asc(replays.requested_at))
      .all();
  }

  /** Apps `node` was ever asked to replay (its replay receipts name them). */
  appsOn(node: string): Set<string> {
    return new Set(this.db.selectDistinct({ app: replays.app }).from(replays).where(eq(replays.node, node)).all().map((r) => r.app));
  }

  /** The latest finished replay of an app (a pipeline's replay_match gate). */
  latestDone(app: string): ReplayView | undefined {
    return this.db.select().from(replays).where(and(eq(replays.app, app), eq(replays.status, "done"))).orderBy(desc(replays.finished_at)).get();
  }

  finish(id: string, outcome: Pick<ReplayView, "verdict" | "replay_receipt" | "detail" | "finished_at">): void {
    this.db.update(replays).set({ status: "done", ...outcome }).where(eq(replays.id, id)).run();
  }
}
