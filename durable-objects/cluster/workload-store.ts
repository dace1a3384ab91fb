import type { Replica, WorkloadSpec, WorkloadView } from "../../protocol/api/workload.ts";
import { and, asc, eq, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { RolloutState } from "../../protocol/api/workload.ts";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { logs, replicas, scaleHistory, workloadSpecs, workloads } from "./schema.ts";

export type ReplicaRow = typeof replicas.$inferSelect;

export const toReplica = (r: ReplicaRow): Replica => ({
  id: r.id,
  replica_type: r.replica_type,
  spec_version: r.spec_version,
  ...(r.healthy != null ? { healthy: r.healthy === 1 } : {}),
  node: r.node,
  // A replica being retired is out of the gateway and about to be stopped by its agent.
  status: r.retire_at != null && r.status === "running" ? "stopping" : r.status,
  container: r.container,
  ...(r.endpoint ? { endpoint: r.endpoint } : {}),
  ...(r.exit_code != null ? { exit_code: r.exit_code } : {}),
  restarts: r.restarts,
  ...(r.reason ? { reason: r.reason } : {}),
});

type WorkloadRow = typeof workloads.$inferSelect;

const toView = (r: WorkloadRow): WorkloadView => ({
  spec: JSON.parse(r.spec),
  version: r.version,
  created_by: r.created_by,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Rows of workloads and replicas; decisions live in workload-service.ts. */
const p = sql.placeholder;

export class WorkloadStore {
  // Built once: a big deploy runs these once per replica.
  private readonly bumpReplica;
  private readonly insertReplica;

  constructor(private readonly db: DrizzleSqliteDODatabase) {
    this.bumpReplica = db
      .update(workloads)
      .set({ next_replica: sql`${workloads.next_replica} + 1` })
      .where(eq(workloads.name, p("workload")))
      .returning({ n: workloads.next_replica })
      .prepare();
    this.insertReplica = db
      .insert(replicas)
      .values({
        id: p("id"),
        workload: p("workload"),
        replica_type: p("replica_type"),
        node: p("node"),
        status: p("status"),
        container: p("container"),
        cpu_millis: p("cpu_millis"),
        memory_mb: p("memory_mb"),
        storage_gb: p("storage_gb"),
        spec_version: p("spec_version"),
        created_at: p("created_at"),
        updated_at: p("updated_at"),
      })
      .prepare();
  }

  get(name: string): WorkloadView | undefined {
    const r = this.db.select().from(workloads).where(eq(workloads.name, name)).get();
    return r && toView(r);
  }

  list(): WorkloadView[] {
    return this.db.select().from(workloads).orderBy(asc(workloads.name)).all().map(toView);
  }

  put(spec: WorkloadSpec, actor: string, at: string, cause = "deploy"): WorkloadView {
    const body = JSON.stringify(spec);
    this.db
      .insert(workloads)
      .values({ name: spec.name, spec: body, version: 1, created_by: actor, created_at: at, updated_at: at })
      .onConflictDoUpdate({ target: workloads.name, set: { spec: body, version: sql`${workloads.version} + 1`, updated_at: at } })
      .run();
    const view = this.get(spec.name)!;
    const row = { spec: body, created_at: at, created_by: actor, cause };
    this.db.insert(workloadSpecs).values({ name: spec.name, version: view.version, ...row }).onConflictDoUpdate({ target: [workloadSpecs.name, workloadSpecs.version], set: row }).run();
    return view;
  }

  markDeleting(name: string, now: number): void {
    this.db.update(workloads).set({ deleting: now }).where(eq(workloads.name, name)).run();
  }

  /** Workloads being removed (enc rm) whose replicas are still stopping. */
  deletingNames(): string[] {
    return this.db.select({ name: workloads.name }).from(workloads).where(isNotNull(workloads.deleting)).all().map((r) => r.name);
  }

  /** Every kept version of a workload, oldest first. */
  versions(name: string): { version: number; spec: WorkloadSpec; created_at: string | null; created_by: string | null; cause: string | null }[] {
    return this.db
      .select()
      .from(workloadSpecs)
      .where(eq(workloadSpecs.name, name))
      .orderBy(asc(workloadSpecs.version))
      .all()
      .map((r) => ({ version: r.version, spec: JSON.parse(r.spec) as WorkloadSpec, created_at: r.created_at, created_by: r.created_by, cause: r.cause }));
  }

  rollout(name: string): RolloutState | null {
    const r = this.db.select({ rollout: workloads.rollout }).from(workloads).where(eq(workloads.name, name)).get();
    return r?.rollout ? (JSON.parse(r.rollout) as RolloutState) : null;
  }

  setRollout(name: string, state: RolloutState): void {
    this.db.update(workloads).set({ rollout: JSON.stringify(state) }).where(eq(workloads.name, name)).run();
  }

  /** Replicas of `workload` not being retired. */
  liveReplicasOf(workload: string): ReplicaRow[] {
    return this.db.select().from(replicas).where(and(eq(replicas.workload, workload), isNull(replicas.retire_at))).orderBy(asc(replicas.created_at), asc(replicas.id)).all();
  }

  /** Retiring replicas whose drain time has come. */
  retiredBy(now: number): ReplicaRow[] {
    return this.db.select().from(replicas).where(and(isNotNull(replicas.retire_at), lte(replicas.retire_at, now))).all();
  }

  /** The earliest drain end still ahead, if any. */
  nextRetireAt(): number | null {
    return this.db.select({ at: sql<number | null>`MIN(${replicas.retire_at})` }).from(replicas).get()?.at ?? null;
  }

  /** Records a new primary count in the current spec (no new version: scaling is not an update). */
  setReplicaCount(name: string, count: number): void {
    const wl = this.get(name);
    if (!wl) return;
    const spec = JSON.stringify({ ...wl.spec, replicas: count });
    this.db.update(workloads).set({ spec }).where(eq(workloads.name, name)).run();
    this.db.update(workloadSpecs).set({ spec }).where(and(eq(workloadSpecs.name, name), eq(workloadSpecs.version, wl.version))).run();
  }

  remove(name: string): void {
    this.db.delete(workloads).where(eq(workloads.name, name)).run();
    this.db.delete(workloadSpecs).where(eq(workloadSpecs.name, name)).run();
    for (const r of this.replicasOf(name)) this.removeReplica(r.id);
  }

  /** A fresh replica id for `workload` (never reused, so receipts stay unambiguous). */
  nextReplicaId(workload: string): string {
    return `${workload}-${this.bumpReplica.get({ workload })!.n}`;
  }

  replicasOf(workload: string): ReplicaRow[] {
    return this.db.select().from(replicas).where(eq(replicas.workload, workload)).orderBy(asc(replicas.created_at), asc(replicas.id)).all();
  }

  replicasOn(node: string): ReplicaRow[] {
    return this.db.select().from(replicas).where(eq(replicas.node, node)).orderBy(asc(replicas.id)).all();
  }

  allReplicas(): ReplicaRow[] {
    return this.db.select().from(replicas).all();
  }

  replica(id: string): ReplicaRow | undefined {
    return this.db.select().from(replicas).where(eq(replicas.id, id)).get();
  }

  addReplica(
    r: Omit<ReplicaRow, "endpoint" | "exit_code" | "restarts" | "reason" | "healthy" | "cpu_percent" | "created_at" | "updated_at" | "retire_at" | "stopping" | "stop_grace_s">,
    at: string,
  ): void {
    const { id, workload, replica_type, node, status, container, cpu_millis, memory_mb, storage_gb, spec_version } = r;
    this.insertReplica.run({ id, workload, replica_type, node, status, container, cpu_millis, memory_mb, storage_gb, spec_version, created_at: at, updated_at: at });
  }

  /** The spec a replica runs: the version it was created for (rolling updates keep old ones). */
  specFor(workload: string, version: number): WorkloadSpec | undefined {
    const r = this.db
      .select({ spec: workloadSpecs.spec })
      .from(workloadSpecs)
      .where(and(eq(workloadSpecs.name, workload), eq(workloadSpecs.version, version)))
      .get();
    return r ? JSON.parse(r.spec) : this.get(workload)?.spec;
  }

  updateReplica(id: string, patch: Partial<Omit<ReplicaRow, "id" | "workload" | "created_at" | "updated_at">>, at: string): void {
    if (Object.keys(patch).length === 0) return;
    // Absent means unchanged; an explicit undefined clears the column, as the raw UPDATE did.
    const set = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v ?? null])) as typeof patch;
    this.db.update(replicas).set({ ...set, updated_at: at }).where(eq(replicas.id, id)).run();
  }

  /** The autoscaler's recent recommendations for `workload`, oldest first. */
  scaleHistory(workload: string): { at: number; replicas: number }[] {
    return this.db.select({ at: scaleHistory.at, replicas: scaleHistory.desired }).from(scaleHistory).where(eq(scaleHistory.workload, workload)).orderBy(asc(scaleHistory.at)).all();
  }

  setScaleHistory(workload: string, history: readonly { at: number; replicas: number }[]): void {
    this.db.delete(scaleHistory).where(eq(scaleHistory.workload, workload)).run();
    if (history.length) this.db.insert(scaleHistory).values(history.map((h) => ({ workload, at: h.at, desired: h.replicas }))).run();
  }

  removeReplica(id: string): void {
    this.db.delete(replicas).where(eq(replicas.id, id)).run();
    this.db.delete(logs).where(eq(logs.replica, id)).run();
  }
}
