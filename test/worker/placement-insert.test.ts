import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import type { ClusterCtx } from "../../durable-objects/cluster/context.ts";
import { addReplicas, placePending, wantedTypes } from "../../durable-objects/cluster/workload-service.ts";
import { ClusterConfig } from "../../protocol/api/cluster.ts";
import { WorkloadSpec } from "../../protocol/api/workload.ts";
import { isoNow } from "../../protocol/time.ts";

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

type Snapshot = { rows: Record<string, unknown>[]; audit: unknown[]; sched: unknown; answer?: unknown };

/**
 * Deploys `big` (no node fits it), adds a node with room for it, then deploys `web` (primaries and
 * secondaries, more than fit): the second pass places the stored pending replica, places some new
 * ones and refuses the rest. `stored` picks the old path for both deploys.
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
    answer = JSON.parse(res.value.json).replicas;
  }
  return runInDurableObject(stub, (inst: ClusterDO, state) => {
    const sql = state.storage.sql;
    // Rows in rowid order, every column; the times only as "updated at creation or not" (two runs differ in ms).
    const rows = sql.exec("SELECT *, updated_at = created_at AS same_time FROM replicas ORDER BY rowid").toArray().map(({ created_at: _c, updated_at: _u, ...r }) => r);
    // After ClusterCreated, which names the cluster.
    const audit = sql.exec<{ body: string }>("SELECT body FROM audit WHERE seq > 1 ORDER BY seq").toArray().map((r) => {
      const { event, actor, subject, details } = JSON.parse(r.body) as Record<string, unknown>;
      return { event, actor, subject, details };
    });
    const sched = (inst as unknown as { meta: ClusterCtx["meta"] }).meta.schedState();
    const views = stored ? undefined : (inst as unknown as { workloads: ClusterCtx["workloads"] }).workloads.replicaViewsOf("web");
    return { rows, audit, sched, answer: views && { views, answer } };
  });
}

describe("a deploy inserts its replicas already placed", () => {
  it("leaves the same rows, audit entries and scheduler state as storing them pending and placing them after", async () => {
    const placed = await scenario("insert-placed", false);
    const before = await scenario("insert-stored", true);
    // The scenario covers a stored pending replica placed by the deploy's pass, new replicas placed,
    // and new replicas refused with a reason.
    const big = placed.rows.find((r) => r.id === "big-1")!;
    expect(big.node).toBe("node-b");
    const webRows = placed.rows.filter((r) => r.workload === "web");
    expect(webRows).toHaveLength(7);
    expect(webRows.some((r) => r.node !== null)).toBe(true);
    expect(webRows.filter((r) => r.node === null).every((r) => typeof r.reason === "string" && (r.reason as string).length > 0)).toBe(true);
    expect(webRows.some((r) => r.node === null)).toBe(true);
    expect(placed.audit.map((e) => (e as { event: string }).event)).toContain("ResourceAllocation");

    expect(placed.rows).toEqual(before.rows);
    expect(placed.audit).toEqual(before.audit);
    expect(placed.sched).toEqual(before.sched);
    // The answer lists the stored rows as they are.
    const { views, answer } = placed.answer as { views: unknown; answer: unknown };
    expect(answer).toEqual(views);
  });
});
