import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import type { ClusterCtx } from "../../durable-objects/cluster/context.ts";
import { addReplicas, placePending, wantedTypes } from "../../durable-objects/cluster/workload-service.ts";
import { ClusterConfig } from "../../protocol/api/cluster.ts";
import { WorkloadSpec } from "../../protocol/api/workload.ts";
import { isoNow } from "../../protocol/time.ts";
import { toReplica } from "../../durable-objects/cluster/workload-store.ts";
import { schedNodes } from "../../durable-objects/cluster/placement.ts";

const OWNER = "bpi1" + "q".repeat(58);

function addNode(sql: SqlStorage, address: string, cpu_cores: number, memory_gb: number): void {
  sql.exec(
    "INSERT INTO nodes (address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat) VALUES (?, 'compute', 'http://sim', ?, '{}', 'z', 'ready', ?, ?)",
    address, JSON.stringify({ cpu_cores, memory_gb, storage_gb: 100 }), new Date().toISOString(), Date.now(),
  );
}

/** A deploy as it was before new replicas were inserted placed: stored pending, then one placement pass over the pending rows. */
function deployStoredFirst(ctx: ClusterCtx, spec: WorkloadSpec): void {
  const at = isoNow();
  const view = ctx.workloads.put(spec, OWNER, at);
  ctx.audit.append(ctx.cluster, "WorkloadDeployed", OWNER, spec.name, { spec, version: view.version });
  for (const [type, n] of wantedTypes(spec)) if (n > 0) addReplicas(ctx, OWNER, spec.name, type, n, at);
  placePending(ctx, OWNER);
  ctx.meta.bumpVersion();
}

/** A scale-up as it was: the new primaries stored pending, then the placement pass. */
function scaleStoredFirst(ctx: ClusterCtx, name: string, replicas: number): void {
  const from = ctx.workloads.liveReplicasOf(name).filter((r) => r.replica_type === "primary").length;
  const at = isoNow();
  ctx.workloads.setReplicaCount(name, replicas);
  addReplicas(ctx, OWNER, name, "primary", replicas - from, at);
  ctx.audit.append(ctx.cluster, "WorkloadScaled", OWNER, name, { from, to: replicas, manual: true });
  placePending(ctx, OWNER);
  ctx.meta.bumpVersion();
}

type Snapshot = { rows: Record<string, unknown>[]; audit: unknown[]; sched: unknown; answer?: unknown };

/**
 * Deploys `big` (no node fits it), adds a node with room for it, then deploys `web` (primaries and
 * secondaries, more than fit): the second pass places the stored pending replica, places some new
 * ones and refuses the rest; then scales web up. `stored` picks the old path for all three.
 */
async function scenario(name: string, stored: boolean): Promise<Snapshot> {
  const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
  const created = await stub.create(OWNER, name, ClusterConfig.parse({}));
  expect(created.ok).toBe(true);
  const big = WorkloadSpec.parse({ name: "big", image: "oci:/x:latest", replicas: 1, resources: { cpu_millis: 3000, memory_mb: 256 } });
  const web = WorkloadSpec.parse({ name: "web", image: "oci:/x:latest", replicas: 4, secondaries: 3, resources: { cpu_millis: 1000, memory_mb: 512 } });
  let answer: unknown;
  await runInDurableObject(stub, (_inst: ClusterDO, state) => addNode(state.storage.sql, "node-a", 1, 1));
  if (stored) {
    await runInDurableObject(stub, (inst: ClusterDO, state) => {
      const ctx = (inst as unknown as { ctxFor(r: unknown): ClusterCtx; record(): unknown }).ctxFor((inst as unknown as { record(): unknown }).record());
      state.storage.transactionSync(() => deployStoredFirst(ctx, big));
    });
  } else {
    expect((await stub.deployWorkload(OWNER, big)).ok).toBe(true);
  }
  await runInDurableObject(stub, (_inst: ClusterDO, state) => addNode(state.storage.sql, "node-b", 4, 4));
  if (stored) {
    await runInDurableObject(stub, (inst: ClusterDO, state) => {
      const ctx = (inst as unknown as { ctxFor(r: unknown): ClusterCtx; record(): unknown }).ctxFor((inst as unknown as { record(): unknown }).record());
      state.storage.transactionSync(() => deployStoredFirst(ctx, web));
    });
  } else {
    const res = await stub.deployWorkload(OWNER, web);
    if (!res.ok) throw new Error("the deploy failed");
    // The answer lists the stored rows as they are.
    answer = { answer: JSON.parse(res.value.json).replicas, views: await runInDurableObject(stub, (inst: ClusterDO) => (inst as unknown as { workloads: ClusterCtx["workloads"] }).workloads.replicaViewsOf("web")) };
  }
  // Room for one more, then a scale-up by three: one placed, two refused (and web's refused
  // secondaries retried in the same pass).
  await runInDurableObject(stub, (_inst: ClusterDO, state) => addNode(state.storage.sql, "node-c", 1, 4));
  if (stored) {
    await runInDurableObject(stub, (inst: ClusterDO, state) => {
      const ctx = (inst as unknown as { ctxFor(r: unknown): ClusterCtx; record(): unknown }).ctxFor((inst as unknown as { record(): unknown }).record());
      state.storage.transactionSync(() => scaleStoredFirst(ctx, "web", 7));
    });
  } else {
    expect((await stub.scaleWorkload(OWNER, "web", 7)).ok).toBe(true);
  }
  return runInDurableObject(stub, (inst: ClusterDO, state) => {
    const sql = state.storage.sql;
    // Rows in rowid order, every column but the times (two runs differ in ms), which only keep their order.
    const rows = sql.exec("SELECT *, updated_at >= created_at AS ordered FROM replicas ORDER BY rowid").toArray().map(({ created_at: _c, updated_at: _u, ...r }) => r);
    // After ClusterCreated, which names the cluster.
    const audit = sql.exec<{ body: string }>("SELECT body FROM audit WHERE seq > 1 ORDER BY seq").toArray().map((r) => {
      const { event, actor, subject, details } = JSON.parse(r.body) as Record<string, unknown>;
      return { event, actor, subject, details };
    });
    const sched = (inst as unknown as { meta: ClusterCtx["meta"] }).meta.schedState();
    return { rows, audit, sched, answer };
  });
}

describe("a deploy or a scale-up inserts its replicas already placed", () => {
  it("leaves the same rows, audit entries and scheduler state as storing them pending and placing them after", async () => {
    const placed = await scenario("insert-placed", false);
    const before = await scenario("insert-stored", true);
    // The scenario covers a stored pending replica placed by the deploy's pass, new replicas placed,
    // and new replicas refused with a reason.
    const big = placed.rows.find((r) => r.id === "big-1")!;
    expect(big.node).toBe("node-b");
    const webRows = placed.rows.filter((r) => r.workload === "web");
    expect(webRows).toHaveLength(10);
    expect(webRows.some((r) => r.node !== null)).toBe(true);
    expect(webRows.filter((r) => r.node === null).every((r) => typeof r.reason === "string" && (r.reason as string).length > 0)).toBe(true);
    expect(webRows.some((r) => r.node === null)).toBe(true);
    expect(placed.rows.every((r) => r.ordered === 1)).toBe(true);
    expect(placed.audit.map((e) => (e as { event: string }).event)).toContain("ResourceAllocation");

    expect(placed.rows).toEqual(before.rows);
    expect(placed.audit).toEqual(before.audit);
    expect(placed.sched).toEqual(before.sched);
    const { views, answer } = placed.answer as { views: unknown; answer: unknown };
    expect(answer).toHaveLength(7);
    expect(JSON.stringify(answer)).toBe(JSON.stringify(views));
  });
});

describe("a deploy's answer", () => {
  // The deploy answers with the views of the rows it stored, built from what it wrote rather than
  // read back: they must be the stored rows' views, byte for byte, in their order (created_at,
  // then id as text: web-10 before web-2), for every replica type, placed or refused.
  it("is the stored rows' views, in their order, with ten and more replicas of several types, some refused", async () => {
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName("answer-views"));
    expect((await stub.create(OWNER, "answer-views", ClusterConfig.parse({}))).ok).toBe(true);
    await runInDurableObject(stub, (_inst: ClusterDO, state) => {
      addNode(state.storage.sql, "node-a", 4, 8);
      addNode(state.storage.sql, "node-b", 2, 8);
    });
    const web = WorkloadSpec.parse({ name: "web", image: "oci:/x:latest", replicas: 12, secondaries: 2, read_only_replicas: 3, resources: { cpu_millis: 500, memory_mb: 256 } });
    const res = await stub.deployWorkload(OWNER, web);
    if (!res.ok) throw new Error("the deploy failed");
    const views = await runInDurableObject(stub, (inst: ClusterDO) => (inst as unknown as { workloads: ClusterCtx["workloads"] }).workloads.replicaViewsOf("web"));
    const answer = (JSON.parse(res.value.json) as { replicas: { id: string; node: string | null; reason?: string; replica_type: string }[] }).replicas;
    expect(answer).toHaveLength(17);
    expect(answer.slice(0, 3).map((r) => r.id)).toEqual(["web-1", "web-10", "web-11"]);
    expect(new Set(answer.map((r) => r.replica_type))).toEqual(new Set(["primary", "secondary", "read_only"]));
    expect(answer.filter((r) => r.node !== null).length).toBe(12);
    expect(answer.filter((r) => r.node === null).every((r) => (r.reason ?? "").length > 0)).toBe(true);
    expect(JSON.stringify(answer)).toBe(JSON.stringify(views));
  });
});

describe("placement's node list", () => {
  // One statement for the nodes and their per-node sums: the node list's nodes in its order, each
  // with the sums of its placed replica rows added up here one by one, nodes without replicas at 0.
  it("gives the same nodes, in the same order, with the same allocations as the list and its replica rows summed apart", async () => {
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName("placement-nodes"));
    expect((await stub.create(OWNER, "placement-nodes", ClusterConfig.parse({}))).ok).toBe(true);
    await runInDurableObject(stub, (_inst: ClusterDO, state) => {
      for (const [a, c] of [["node-c", 4], ["node-a", 2], ["node-b", 8], ["node-idle", 0.5]] as const) addNode(state.storage.sql, a, c, 16);
    });
    const web = WorkloadSpec.parse({ name: "web", image: "oci:/x:latest", replicas: 9, resources: { cpu_millis: 700, memory_mb: 300, storage_gb: 0.25 } });
    expect((await stub.deployWorkload(OWNER, web)).ok).toBe(true);
    await runInDurableObject(stub, (inst: ClusterDO, state) => {
      // A replica left on a node that is no longer listed counts nowhere.
      state.storage.sql.exec("UPDATE replicas SET node = 'node-gone' WHERE id = 'web-9'");
      const ctx = (inst as unknown as { ctxFor(r: unknown): ClusterCtx; record(): unknown }).ctxFor((inst as unknown as { record(): unknown }).record());
      const joined = schedNodes(ctx.nodes.forPlacementAllocated());
      const sums = new Map<string, { cpu_millis: number; memory_mb: number; storage_gb: number; n: number }>();
      for (const r of state.storage.sql.exec<{ node: string; cpu_millis: number; memory_mb: number; storage_gb: number }>("SELECT node, cpu_millis, memory_mb, storage_gb FROM replicas WHERE node IS NOT NULL")) {
        const a = sums.get(r.node) ?? { cpu_millis: 0, memory_mb: 0, storage_gb: 0, n: 0 };
        sums.set(r.node, { cpu_millis: a.cpu_millis + r.cpu_millis, memory_mb: a.memory_mb + r.memory_mb, storage_gb: a.storage_gb + r.storage_gb, n: a.n + 1 });
      }
      const apart = ctx.nodes.list().map((n) => {
        const { cpu_cores, memory_gb, storage_gb, ...features } = n.capabilities;
        const a = sums.get(n.address) ?? { cpu_millis: 0, memory_mb: 0, storage_gb: 0, n: 0 };
        return {
          id: n.address, node_type: n.node_type, status: n.status, labels: n.labels, zone: n.zone ?? undefined, connections: 0, replicas: a.n,
          capabilities: { ...features, cpu_millis: Math.round(cpu_cores * 1000), memory_mb: Math.round(memory_gb * 1024), storage_gb },
          allocated: { cpu_millis: a.cpu_millis, memory_mb: a.memory_mb, storage_gb: a.storage_gb },
        };
      });
      expect(joined).toEqual(apart);
      expect(joined.map((n) => n.id)).toEqual(ctx.nodes.list().map((n) => n.address));
      expect(joined.find((n) => n.id === "node-idle")!.allocated).toEqual({ cpu_millis: 0, memory_mb: 0, storage_gb: 0 });
      expect(joined.reduce((a, n) => a + n.replicas, 0)).toBe(8);
      expect(joined.some((n) => n.allocated.storage_gb > 0 && !Number.isInteger(n.allocated.storage_gb))).toBe(true);
    });
  });
});

describe("toReplica", () => {
  // As it was written with conditional spreads: the answer's bytes must not change.
  const spread = (r: Parameters<typeof toReplica>[0]) => ({
    id: r.id,
    replica_type: r.replica_type,
    spec_version: r.spec_version,
    ...(r.healthy != null ? { healthy: r.healthy === 1 } : {}),
    node: r.node,
    status: r.retire_at != null && r.status === "running" ? "stopping" : r.status,
    container: r.container,
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
    ...(r.exit_code != null ? { exit_code: r.exit_code } : {}),
    restarts: r.restarts,
    ...(r.reason ? { reason: r.reason } : {}),
    created_at: r.created_at,
    ...(r.backoff ? { backoff: JSON.parse(r.backoff) } : {}),
  });

  it("gives the same JSON as before, every optional member present or not", () => {
    const bare = { id: "w-1", replica_type: "primary", spec_version: 2, healthy: null, node: null, retire_at: null, status: "pending", container: "w-1", endpoint: null, exit_code: null, restarts: 0, reason: null, created_at: "2026-12-06T00:00:00.000Z", backoff: null } as const;
    const full = { ...bare, healthy: 0, node: "n", retire_at: 5, status: "running", endpoint: "10.0.0.1:80", exit_code: 0, restarts: 3, reason: "crash \"loop\"\n", backoff: JSON.stringify({ reason: "CrashLoopBackOff", attempts: 2, until: 1 }) } as const;
    for (const r of [bare, full, { ...full, healthy: 1, retire_at: null, exit_code: 137 }]) {
      expect(JSON.stringify(toReplica(r as never))).toBe(JSON.stringify(spread(r as never)));
    }
  });
});
