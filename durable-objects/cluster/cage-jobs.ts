// CueCage jobs of the cluster: which workload must agree on N distinct nodes, and the verdict
// once decided. Kept in the `meta` table under `cage_job:<workload>` (one small JSON each), so the
// feature needs no schema migration of its own.
import { eq, like } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { CageCheck } from "../../protocol/api/cage.ts";
import { meta } from "./schema.ts";

/** Stored as the wire object: what `enc agreement show` prints. */
export type CageJobRecord = CageCheck;

const KEY = "cage_job:";

export class CageJobs {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  get(workload: string): CageJobRecord | undefined {
    const v = this.db.select({ value: meta.value }).from(meta).where(eq(meta.key, KEY + workload)).get()?.value;
    return v === undefined ? undefined : (JSON.parse(v) as CageJobRecord);
  }

  byAgreement(agreement: string): CageJobRecord | undefined {
    return this.db
      .select({ value: meta.value })
      .from(meta)
      .where(like(meta.key, `${KEY}%`))
      .all()
      .map((r) => JSON.parse(r.value) as CageJobRecord)
      .find((j) => j.agreement === agreement);
  }

  put(job: CageJobRecord): void {
    const value = JSON.stringify(job);
    this.db.insert(meta).values({ key: KEY + job.workload, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
  }

  remove(workload: string): void {
    this.db.delete(meta).where(eq(meta.key, KEY + workload)).run();
  }
}
