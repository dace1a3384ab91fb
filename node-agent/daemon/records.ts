// What the daemon remembers per replica and per container, so a restarted agent knows which
// container belongs to which replica, what it already decided (restart or not) and, for
// replay, exactly what each container was created from.
import fs from "node:fs";
import path from "node:path";
import { fileName, listJson, readJsonFile, writeJsonAtomic, type DataDir } from "./data-dir.ts";
import type { DesiredReplica, ReplicaSpec } from "../../protocol/desired-state.ts";
import type { ReplicaBackOff } from "../../protocol/api/workload.ts";

export type ReplicaPhase = "pending" | "starting" | "running" | "stopping" | "backoff" | "exited" | "failed";

export interface HostPort {
  container_port: number;
  host_port: number;
}

export interface ReplicaRecord {
  v: 1;
  id: string;
  workload: string;
  replica_type: string;
  spec: ReplicaSpec;
  spec_hash: string;
  /** the replica's newest container (running, or the last one that ran) */
  container: string | null;
  /** older containers, oldest first (kept for logs and inspection, then purged) */
  history: string[];
  restarts: number;
  /** quick failures in a row, for the back-off */
  crashes: number;
  phase: ReplicaPhase;
  /** earliest time of the next start, ms since the epoch */
  next_start_ms: number | null;
  exit_code: number | null;
  reason: string | null;
  /** the underlying error of the last failure (a pull's or runc's message); absent in old records */
  error?: string | null;
  /** set while quick failures repeat (CrashLoopBackOff / ImagePullBackOff), cleared by a long run */
  loop?: ReplicaBackOff | null;
  /** the container whose exit has been fully dealt with (receipt, restart decision) */
  handled: string | null;
  /** set while the agent itself stops the container: its exit is not a failure to restart */
  stop_reason: string | null;
  ports: HostPort[];
  started_ms: number | null;
}

export interface ContainerRecord {
  v: 1;
  id: string;
  replica: string;
  workload: string;
  image_ref: string;
  /** manifest digest, once pulled */
  image: string | null;
  /** exactly what Container.create() was given (command, env, resources, cage, ports) */
  cage_workload: Record<string, unknown>;
  storage_gb: number;
  created_at: string;
}

export function newReplicaRecord(d: DesiredReplica, specHash: string): ReplicaRecord {
  return {
    v: 1,
    id: d.id,
    workload: d.workload,
    replica_type: d.replica_type,
    spec: d.spec,
    spec_hash: specHash,
    container: null,
    history: [],
    restarts: 0,
    crashes: 0,
    phase: "pending",
    next_start_ms: null,
    exit_code: null,
    reason: null,
    handled: null,
    stop_reason: null,
    ports: [],
    started_ms: null,
  };
}

export class Records {
  constructor(private readonly d: DataDir) {}

  replicas(): ReplicaRecord[] {
    return listJson<ReplicaRecord>(this.d.replicas);
  }

  saveReplica(r: ReplicaRecord): void {
    writeJsonAtomic(path.join(this.d.replicas, fileName(r.id)), r);
  }

  deleteReplica(id: string): void {
    fs.rmSync(path.join(this.d.replicas, fileName(id)), { force: true });
  }

  container(id: string): ContainerRecord | null {
    return readJsonFile<ContainerRecord>(path.join(this.d.containerRecords, fileName(id)));
  }

  saveContainer(c: ContainerRecord): void {
    writeJsonAtomic(path.join(this.d.containerRecords, fileName(c.id)), c);
  }
}
