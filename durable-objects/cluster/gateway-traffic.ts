import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { Traffic } from "../../domain/pipelines/gates.ts";
import { gatewayTraffic } from "./schema.ts";

/** One row of an isolate's batch: a workload's outcomes in one second. */
export interface TrafficRow extends Traffic {
  workload: string;
  second: number;
}

/** Kept a day: the longest window a gate reads (healthy_for_s is at most 86,400). */
const KEEP_S = 86_400;
/** Rows of one batch at most: an isolate flushes every second or 100 requests, so this is generous. */
export const MAX_TRAFFIC_ROWS = 1_000;

/** The gateway's outcomes per workload per second (the pipelines' error-rate gate). */
export class GatewayTraffic {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  /** Adds a batch (counts sum: two isolates may report the same second) and drops what is older than a day. */
  add(rows: TrafficRow[], nowMs: number): void {
    for (const r of rows) {
      this.db
        .insert(gatewayTraffic)
        .values(r)
        .onConflictDoUpdate({
          target: [gatewayTraffic.workload, gatewayTraffic.second],
          set: {
            requests: sql`${gatewayTraffic.requests} + ${r.requests}`,
            errors: sql`${gatewayTraffic.errors} + ${r.errors}`,
            upstream_failures: sql`${gatewayTraffic.upstream_failures} + ${r.upstream_failures}`,
          },
        })
        .run();
    }
    this.db.delete(gatewayTraffic).where(lt(gatewayTraffic.second, Math.floor(nowMs / 1000) - KEEP_S)).run();
  }

  /** The sum over the seconds from `fromMs`'s on (the second holding fromMs counts). */
  since(workload: string, fromMs: number): Traffic {
    const row = this.db
      .select({
        requests: sql<number>`coalesce(sum(${gatewayTraffic.requests}), 0)`,
        errors: sql<number>`coalesce(sum(${gatewayTraffic.errors}), 0)`,
        upstream_failures: sql<number>`coalesce(sum(${gatewayTraffic.upstream_failures}), 0)`,
      })
      .from(gatewayTraffic)
      .where(and(eq(gatewayTraffic.workload, workload), gte(gatewayTraffic.second, Math.floor(fromMs / 1000))))
      .get();
    return { requests: row?.requests ?? 0, errors: row?.errors ?? 0, upstream_failures: row?.upstream_failures ?? 0 };
  }
}
