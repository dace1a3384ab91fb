// The ClusterDO deploy measurement of bench/workerd/scheduler.bench.ts for the plain-workerd
// bench Worker (bench/workerd-plain/), where a CPU profile can be taken through the inspector.
import { ClusterConfig } from "../protocol/api/cluster.ts";
import { WorkloadSpec } from "../protocol/api/workload.ts";
import { benchPlacements } from "./scheduler-support.ts";

export const NODES = 1000;
export const REPLICAS = 10_000;
export const PER_WORKLOAD = 1000;

type R<T> = { ok: true; value: T } | { ok: false; problem: { detail: string } };

/** What the deploy bench needs of a ClusterDO stub. */
export interface DeployTarget {
  create(owner: string, name: string, config: ClusterConfig): Promise<R<unknown>>;
  deployWorkload(owner: string, spec: WorkloadSpec): Promise<R<{ json: string }>>;
  flushLedger(): Promise<void>;
}

/** The simulated nodes of scheduler.bench.ts, written straight into a ClusterDO's node table. */
export function seedSimulatedNodes(sql: SqlStorage, n: number): void {
  for (let i = 0; i < n; i++) {
    const caps = { cpu_cores: 8 + (i % 4) * 8, memory_gb: 32 + (i % 3) * 32, storage_gb: 500, supports_determinism_cage: i % 2 === 0 };
    sql.exec(
      "INSERT INTO nodes (address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat) VALUES (?, 'compute', 'http://sim', ?, '{}', ?, 'ready', ?, ?)",
      `sim-node-${String(i).padStart(4, "0")}`, JSON.stringify(caps), `zone-${i % 3}`, new Date().toISOString(), Date.now(),
    );
  }
}

export interface DeployFigures {
  algorithm: string;
  deploy_placements_per_s: number;
  engine_placements_per_s: number;
  do_over_engine: number;
  deploy_ms: number[];
}

/** 10 deploys of 1,000 replicas onto 1,000 simulated nodes, against the pure engine before and after. */
export async function measureDeploys(stub: DeployTarget, algorithm: string, seed: (n: number) => Promise<void>, deploys = REPLICAS / PER_WORKLOAD): Promise<DeployFigures> {
  const owner = "bpi1" + "q".repeat(58);
  const created = await stub.create(owner, "bench", ClusterConfig.parse({ max_replicas_per_node: 1000, load_balancing_algorithm: algorithm }));
  if (!created.ok) throw new Error(created.problem.detail);
  await seed(NODES);
  // Warm, as scheduler.bench.ts: one untimed deploy of 1,000 (the engine places 1,000 untimed too).
  const warm = await stub.deployWorkload(owner, WorkloadSpec.parse({ name: "warmup", image: "oci:/x:latest", replicas: PER_WORKLOAD, resources: { cpu_millis: 250, memory_mb: 256 } }));
  if (!warm.ok) throw new Error(warm.problem.detail);
  await stub.flushLedger();
  const before = benchPlacements(algorithm as "resource_based", REPLICAS, NODES);
  const deployMs: number[] = [];
  const t0 = performance.now();
  for (let w = 0; w < deploys; w++) {
    const spec = WorkloadSpec.parse({ name: `w${w}`, image: "oci:/x:latest", replicas: PER_WORKLOAD, resources: { cpu_millis: 250, memory_mb: 256 } });
    const t = performance.now();
    const res = await stub.deployWorkload(owner, spec);
    deployMs.push(performance.now() - t);
    if (!res.ok) throw new Error(res.problem.detail);
  }
  const secs = (performance.now() - t0) / 1000;
  await stub.flushLedger();
  const after = benchPlacements(algorithm as "resource_based", REPLICAS, NODES);
  const engine = (before.perSecond + after.perSecond) / 2;
  return { algorithm, deploy_placements_per_s: (deploys * PER_WORKLOAD) / secs, engine_placements_per_s: engine, do_over_engine: (deploys * PER_WORKLOAD) / secs / engine, deploy_ms: deployMs };
}
