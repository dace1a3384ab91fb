import type { Replica, WorkloadSpec, WorkloadView } from "../../domain/schemas/workload.ts";
import { all, one } from "../shared/rows.ts";

export interface ReplicaRow {
  id: string;
  workload: string;
  replica_type: string;
  node: string | null;
  status: Replica["status"];
  container: string;
  endpoint: string | null;
  exit_code: number | null;
  restarts: number;
  reason: string | null;
  cpu_millis: number;
  memory_mb: number;
  storage_gb: number;
  healthy: number | null;
  spec_version: number;
  cpu_percent: number | null;
}

export const toReplica = (r: ReplicaRow): Replica => ({
  id: r.id,
  replica_type: r.replica_type as Replica["replica_type"],
  spec_version: r.spec_version,
  ...(r.healthy != null ? { healthy: r.healthy === 1 } : {}),
  node: r.node,
  status: r.status,
  container: r.container,
  ...(r.endpoint ? { endpoint: r.endpoint } : {}),
  ...(r.exit_code != null ? { exit_code: r.exit_code } : {}),
  restarts: r.restarts,
  ...(r.reason ? { reason: r.reason } : {}),
});

interface WorkloadRow {
  name: string;
  spec: string;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  next_replica: number;
}

const toView = (r: WorkloadRow): WorkloadView => ({
  spec: JSON.parse(r.spec),
  version: r.version,
  created_by: r.created_by,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Rows of workloads and replicas; decisions live in workload-service.ts. */
export class WorkloadStore {
  constructor(private readonly sql: SqlStorage) {}

  get(name: string): WorkloadView | undefined {
    const r = one<WorkloadRow>(this.sql, "SELECT * FROM workloads WHERE name = ?", name);
    return r && toView(r);
  }

  list(): WorkloadView[] {
    return all<WorkloadRow>(this.sql, "SELECT * FROM workloads ORDER BY name").map(toView);
  }

  put(spec: WorkloadSpec, actor: string, at: string): WorkloadView {
    this.sql.exec(
      `INSERT INTO workloads (name, spec, version, created_by, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, version = version + 1, updated_at = excluded.updated_at`,
      spec.name,
      JSON.stringify(spec),
      actor,
      at,
      at,
    );
    const view = this.get(spec.name)!;
    this.sql.exec("INSERT OR REPLACE INTO workload_specs (name, version, spec) VALUES (?, ?, ?)", spec.name, view.version, JSON.stringify(spec));
    return view;
  }

  /** Records a new primary count in the current spec (no new version: scaling is not an update). */
  setReplicaCount(name: string, replicas: number): void {
    const wl = this.get(name);
    if (!wl) return;
    const spec = JSON.stringify({ ...wl.spec, replicas });
    this.sql.exec("UPDATE workloads SET spec = ? WHERE name = ?", spec, name);
    this.sql.exec("UPDATE workload_specs SET spec = ? WHERE name = ? AND version = ?", spec, name, wl.version);
  }

  remove(name: string): void {
    this.sql.exec("DELETE FROM workloads WHERE name = ?", name);
    this.sql.exec("DELETE FROM workload_specs WHERE name = ?", name);
    for (const r of this.replicasOf(name)) this.removeReplica(r.id);
  }

  /** A fresh replica id for `workload` (never reused, so receipts stay unambiguous). */
  nextReplicaId(workload: string): string {
    const r = one<{ n: number }>(this.sql, "UPDATE workloads SET next_replica = next_replica + 1 WHERE name = ? RETURNING next_replica AS n", workload);
    return `${workload}-${r!.n}`;
  }

  replicasOf(workload: string): ReplicaRow[] {
    return all<ReplicaRow>(this.sql, "SELECT * FROM replicas WHERE workload = ? ORDER BY created_at, id", workload);
  }

  replicasOn(node: string): ReplicaRow[] {
    return all<ReplicaRow>(this.sql, "SELECT * FROM replicas WHERE node = ? ORDER BY id", node);
  }

  allReplicas(): ReplicaRow[] {
    return all<ReplicaRow>(this.sql, "SELECT * FROM replicas");
  }

  replica(id: string): ReplicaRow | undefined {
    return one<ReplicaRow>(this.sql, "SELECT * FROM replicas WHERE id = ?", id);
  }

  addReplica(r: Omit<ReplicaRow, "endpoint" | "exit_code" | "restarts" | "reason" | "healthy" | "cpu_percent">, at: string): void {
    this.sql.exec(
      `INSERT INTO replicas (id, workload, replica_type, node, status, container, cpu_millis, memory_mb, storage_gb, spec_version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      r.id, r.workload, r.replica_type, r.node, r.status, r.container, r.cpu_millis, r.memory_mb, r.storage_gb, r.spec_version, at, at,
    );
  }

  /** The spec a replica runs: the version it was created for (rolling updates keep old ones). */
  specFor(workload: string, version: number): WorkloadSpec | undefined {
    const r = one<{ spec: string }>(this.sql, "SELECT spec FROM workload_specs WHERE name = ? AND version = ?", workload, version);
    return r ? JSON.parse(r.spec) : this.get(workload)?.spec;
  }

  updateReplica(id: string, patch: Partial<Omit<ReplicaRow, "id" | "workload">>, at: string): void {
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    this.sql.exec(
      `UPDATE replicas SET ${keys.map((k) => `${k} = ?`).join(", ")}, updated_at = ? WHERE id = ?`,
      ...keys.map((k) => patch[k] ?? null),
      at,
      id,
    );
  }

  removeReplica(id: string): void {
    this.sql.exec("DELETE FROM replicas WHERE id = ?", id);
    this.sql.exec("DELETE FROM logs WHERE replica = ?", id);
  }
}
