import type { Replica, ReplicaBackOff, RolloutState, WorkloadSpec, WorkloadView } from "../../protocol/api/workload.ts";
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { logs, pastAssignments, replicas, scaleHistory, workloadSpecs, workloads } from "./schema.ts";

/**
 * How long, and how many, replicas a node no longer runs still count as its own for late receipts
 * (an agent that was cut off delivers its spool when it is back). Seven days is also the oldest
 * receipt time the notary accepts (domain/notary/admission.ts).
 */
export const PAST_ASSIGNMENT_MS = 7 * 86_400_000;
export const PAST_ASSIGNMENTS_PER_NODE = 1000;

export type ReplicaRow = typeof replicas.$inferSelect;
/** The columns placement reads of every replica. */
export type PlacementRow = Pick<ReplicaRow, "id" | "workload" | "replica_type" | "node" | "cpu_millis" | "memory_mb" | "storage_gb">;

/** The columns of a PlacementRow, in the order placementRows unpacks them. */
const PLACEMENT_COLUMNS = "id, workload, replica_type, node, cpu_millis, memory_mb, storage_gb";

/** PlacementRows from a cursor over PLACEMENT_COLUMNS (positional: see replicaViewsOf). */
function placementRows(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): PlacementRow[] {
  const out: PlacementRow[] = [];
  for (const [id, workload, replica_type, node, cpu_millis, memory_mb, storage_gb] of cursor.raw()) {
    out.push({ id, workload, replica_type, node, cpu_millis, memory_mb, storage_gb } as PlacementRow);
  }
  return out;
}

/** The columns toReplica reads. */
const VIEW_COLUMNS = "id, replica_type, spec_version, healthy, node, retire_at, status, container, endpoint, exit_code, restarts, reason, created_at, backoff";
type ReplicaViewRow = Pick<ReplicaRow, "id" | "replica_type" | "spec_version" | "healthy" | "node" | "retire_at" | "status" | "container" | "endpoint" | "exit_code" | "restarts" | "reason" | "created_at" | "backoff">;

/**
 * A replica as the API shows it. Built by assignment in the answer's key order (optional members
 * only when set): conditional spreads cost a temporary object each, and a deploy answers with 1,000.
 */
export function toReplica(r: ReplicaViewRow): Replica {
  const out: Record<string, unknown> = { id: r.id, replica_type: r.replica_type, spec_version: r.spec_version };
  if (r.healthy != null) out.healthy = r.healthy === 1;
  out.node = r.node;
  // A replica being retired is out of the gateway and about to be stopped by its agent.
  out.status = r.retire_at != null && r.status === "running" ? "stopping" : r.status;
  out.container = r.container;
  if (r.endpoint) out.endpoint = r.endpoint;
  if (r.exit_code != null) out.exit_code = r.exit_code;
  out.restarts = r.restarts;
  if (r.reason) out.reason = r.reason;
  out.created_at = r.created_at;
  if (r.backoff) out.backoff = JSON.parse(r.backoff) as ReplicaBackOff;
  return out as Replica;
}

type WorkloadRow = typeof workloads.$inferSelect;

const toView = (r: Pick<WorkloadRow, "spec" | "version" | "created_by" | "created_at" | "updated_at">): WorkloadView => ({
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

  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly sqlite: SqlStorage,
  ) {
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
    // Raw: read several times by every deploy and desired-state answer; drizzle's query building
    // cost more than the read. The columns toView reads.
    const r = this.sqlite
      .exec<Pick<WorkloadRow, "spec" | "version" | "created_by" | "created_at" | "updated_at">>("SELECT spec, version, created_by, created_at, updated_at FROM workloads WHERE name = ?", name)
      .toArray()[0];
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
    // Raw: every deploy asks; drizzle's query building cost more than the read.
    const out: string[] = [];
    for (const [name] of this.sqlite.exec("SELECT name FROM workloads WHERE deleting IS NOT NULL").raw()) out.push(name as string);
    return out;
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
    // Raw: a 1,000-replica deploy answers with all of them, and drizzle's row mapping doubled the cost.
    return this.sqlite.exec<ReplicaRow>("SELECT * FROM replicas WHERE workload = ? ORDER BY created_at, id", workload).toArray();
  }

  /** replicasOf, only the columns an answer shows (a deploy answers with all 1,000 of its replicas). */
  replicaViewsOf(workload: string): Replica[] {
    // Positional (.raw()): toArray() has workerd build each row object through its bindings, which
    // cost more than the query for a 1,000-replica answer (docs/PERFORMANCE.md, fifth pass).
    const out: Replica[] = [];
    for (const [id, replica_type, spec_version, healthy, node, retire_at, status, container, endpoint, exit_code, restarts, reason, created_at, backoff] of this.sqlite
      .exec(`SELECT ${VIEW_COLUMNS} FROM replicas WHERE workload = ? ORDER BY created_at, id`, workload)
      .raw()) {
      out.push(toReplica({ id, replica_type, spec_version, healthy, node, retire_at, status, container, endpoint, exit_code, restarts, reason, created_at, backoff } as ReplicaViewRow));
    }
    return out;
  }

  replicasOn(node: string): ReplicaRow[] {
    return this.db.select().from(replicas).where(eq(replicas.node, node)).orderBy(asc(replicas.id)).all();
  }

  allReplicas(): ReplicaRow[] {
    return this.db.select().from(replicas).all();
  }

  /** Replicas waiting for a node, in creation (rowid) order. */
  pendingRows(): PlacementRow[] {
    return placementRows(this.sqlite.exec(`SELECT ${PLACEMENT_COLUMNS} FROM replicas WHERE node IS NULL ORDER BY rowid`));
  }

  /** The placed replicas of `names`, in rowid order. */
  placedOf(names: readonly string[]): PlacementRow[] {
    return placementRows(
      this.sqlite.exec(
        `SELECT ${PLACEMENT_COLUMNS} FROM replicas WHERE node IS NOT NULL AND workload IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
        JSON.stringify(names),
      ),
    );
  }

  /**
   * `count` new replicas of `workload` with fresh ids (the same ids `nextReplicaId` would hand out
   * one by one), in two statements whatever the count.
   */
  reserveReplicaIds(workload: string, count: number): string[] {
    if (count <= 0) return [];
    const last = this.sqlite.exec<{ n: number }>("UPDATE workloads SET next_replica = next_replica + ? WHERE name = ? RETURNING next_replica AS n", count, workload).one().n;
    return Array.from({ length: count }, (_, i) => `${workload}-${last - count + 1 + i}`);
  }

  /**
   * New replicas `ids` of `workload` (status pending, container named as the replica), in one
   * statement, in the order of `ids`. `outcomes[i]`, when set, is the placement pass's answer for
   * `ids[i]` (its node, or why none fits), stamped `placedAt`; without one a row waits, unplaced.
   */
  insertReplicas(
    workload: string, type: ReplicaRow["replica_type"], specVersion: number, res: { cpu_millis: number; memory_mb: number; storage_gb: number },
    createdAt: string, placedAt: string, ids: readonly string[], outcomes: readonly ([node: string | null, reason: string | null] | undefined)[],
  ): void {
    if (ids.length === 0) return;
    const rows = JSON.stringify(ids.map((id, i) => {
      const o = outcomes[i];
      return o ? [id, o[0], o[1], 1] : [id, null, null, 0];
    }));
    this.sqlite.exec(
      `INSERT INTO replicas (id, workload, replica_type, node, status, container, reason, cpu_millis, memory_mb, storage_gb, spec_version, created_at, updated_at)
       SELECT value->>0, ?1, ?2, value->>1, 'pending', value->>0, value->>2, ?3, ?4, ?5, ?6, ?7, CASE WHEN value->>3 THEN ?8 ELSE ?7 END
       FROM json_each(?9) ORDER BY key`,
      workload, type, res.cpu_millis, res.memory_mb, res.storage_gb, specVersion, createdAt, placedAt, rows,
    );
  }

  /** Records placements (node, status pending, no reason) in one statement. */
  placeReplicas(placed: readonly { id: string; node: string }[], at: string): void {
    if (placed.length === 0) return;
    this.sqlite.exec(
      `UPDATE replicas SET node = p.value->>1, status = 'pending', reason = NULL, backoff = NULL, updated_at = ?1
       FROM (SELECT value FROM json_each(?2)) AS p WHERE replicas.id = p.value->>0`,
      at, JSON.stringify(placed.map((p) => [p.id, p.node])),
    );
  }

  /** Records why replicas could not be placed, in one statement. */
  unplacedReplicas(failed: readonly { id: string; reason: string }[], at: string): void {
    if (failed.length === 0) return;
    this.sqlite.exec(
      `UPDATE replicas SET reason = p.value->>1, updated_at = ?1
       FROM (SELECT value FROM json_each(?2)) AS p WHERE replicas.id = p.value->>0`,
      at, JSON.stringify(failed.map((f) => [f.id, f.reason])),
    );
  }

  replica(id: string): ReplicaRow | undefined {
    return this.db.select().from(replicas).where(eq(replicas.id, id)).get();
  }

  addReplica(
    r: Omit<ReplicaRow, "endpoint" | "exit_code" | "restarts" | "restarts_seen" | "reason" | "healthy" | "cpu_percent" | "backoff" | "created_at" | "updated_at" | "retire_at" | "stopping" | "stop_grace_s">,
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
    if ("node" in patch) this.recordLeave(id, patch.node ?? null);
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
    this.recordLeave(id, null);
    this.db.delete(replicas).where(eq(replicas.id, id)).run();
    this.db.delete(logs).where(eq(logs.replica, id)).run();
  }

  /**
   * Every replica `node` runs or ran lately, with its workload: the receipts it may sign
   * (current assignments first; past ones within PAST_ASSIGNMENT_MS, newest
   * PAST_ASSIGNMENTS_PER_NODE).
   */
  assignmentsOf(node: string, now: number): Map<string, string> {
    const out = new Map<string, string>();
    const past = this.db
      .select({ replica: pastAssignments.replica, workload: pastAssignments.workload })
      .from(pastAssignments)
      .where(and(eq(pastAssignments.node, node), gte(pastAssignments.ended_at, now - PAST_ASSIGNMENT_MS)))
      .orderBy(desc(pastAssignments.ended_at))
      .limit(PAST_ASSIGNMENTS_PER_NODE)
      .all();
    for (const p of past) out.set(p.replica, p.workload);
    for (const r of this.db.select({ id: replicas.id, workload: replicas.workload }).from(replicas).where(eq(replicas.node, node)).all()) out.set(r.id, r.workload);
    return out;
  }

  /** A removed node's key is revoked: its past assignments can never be used again. */
  forgetNode(node: string): void {
    this.db.delete(pastAssignments).where(eq(pastAssignments.node, node)).run();
  }

  /** Remembers that replica `id` leaves its node (for `to`, or for good), then keeps the record bounded. */
  private recordLeave(id: string, to: string | null): void {
    const row = this.db.select({ node: replicas.node, workload: replicas.workload }).from(replicas).where(eq(replicas.id, id)).get();
    if (!row?.node || row.node === to) return;
    const now = Date.now();
    this.db
      .insert(pastAssignments)
      .values({ node: row.node, replica: id, workload: row.workload, ended_at: now })
      .onConflictDoUpdate({ target: [pastAssignments.node, pastAssignments.replica], set: { workload: row.workload, ended_at: now } })
      .run();
    this.db.delete(pastAssignments).where(and(eq(pastAssignments.node, row.node), lt(pastAssignments.ended_at, now - PAST_ASSIGNMENT_MS))).run();
    this.db.run(
      sql`DELETE FROM past_assignments WHERE node = ${row.node} AND replica IN (SELECT replica FROM past_assignments WHERE node = ${row.node} ORDER BY ended_at DESC LIMIT -1 OFFSET ${PAST_ASSIGNMENTS_PER_NODE})`,
    );
  }
}
