import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LEGACY_CLUSTER_STEPS } from "../../durable-objects/cluster/legacy-schema.ts";
import { LEGACY_NONCE_STEPS } from "../../durable-objects/nonce/legacy-schema.ts";
import { LEGACY_NOTARY_STEPS } from "../../durable-objects/notary/legacy-schema.ts";
import notaryMigrations from "../../durable-objects/notary/drizzle/migrations.js";
import { LEGACY_CHALLENGE_STEPS, LEGACY_REGISTRY_STEPS } from "../../durable-objects/registry/legacy-schema.ts";
import type { LogBlock } from "../../protocol/schemas.ts";
import clusterMigrations from "../../durable-objects/cluster/drizzle/migrations.js";
import { describeSchema, rewriteAsLegacy } from "./legacy-db.ts";
import { deployApp, joinNode, newCluster, receiptChain, uniq, wallet } from "./helpers.ts";

const namespaces = {
  ClusterDO: [env.CLUSTER, LEGACY_CLUSTER_STEPS],
  NotaryDO: [env.NOTARY, LEGACY_NOTARY_STEPS],
  NonceDO: [env.NONCES, LEGACY_NONCE_STEPS],
  RegistryDO: [env.REGISTRY, LEGACY_REGISTRY_STEPS],
  ZkChallengeDO: [env.ZK_CHALLENGES, LEGACY_CHALLENGE_STEPS],
} as const;

/** Which migration books a database keeps: today's `_schema` row, drizzle's applied migrations. */
const books = (sql: SqlStorage) => ({
  legacy: sql.exec("SELECT 1 FROM sqlite_master WHERE name = '_schema'").toArray().length,
  drizzle: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM __drizzle_migrations").one().n,
});

describe("DO schemas in drizzle", () => {
  for (const [cls, [ns, steps]] of Object.entries(namespaces)) {
    it(`${cls}: a database of today's positional steps, migrated, has the tables a fresh one has`, async () => {
      // A NotaryDO stays blank until its first write (BaseDO.deferSchema): migrate it as that write would.
      const ofDrizzle = await runInDurableObject(ns.get(ns.idFromName(uniq("fresh"))), async (i, state) => {
        await (i as unknown as { ensureSchema?(): Promise<void> }).ensureSchema?.();
        return describeSchema(state.storage.sql);
      });
      // A legacy database adopts the baseline without running it, then runs the later migrations:
      // it ends up like a fresh one only if the baseline is exactly what the positional steps made.
      const legacy = ns.get(ns.idFromName(uniq("legacy")));
      await runInDurableObject(legacy, (_i, state) => rewriteAsLegacy(state.storage, steps));
      await evictDurableObject(legacy);
      const ofLegacy = await runInDurableObject(legacy, (_i, state) => describeSchema(state.storage.sql));
      expect(Object.keys(ofDrizzle).length).toBeGreaterThan(0);
      expect(ofDrizzle).toEqual(ofLegacy);
    });
  }

  it("a ClusterDO made by today's code keeps serving its rows, and keeps writing, after it migrates", async () => {
    const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 7, max_block_window_s: 60 } });
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    await joinNode(owner.api, name);
    const read = async () => ({
      cluster: await owner.api.get(`/v1/clusters/${name}`),
      audit: await owner.api.get(`/v1/clusters/${name}/audit`),
      nodes: await owner.api.get(`/v1/clusters/${name}/nodes`),
    });
    const before = await read();

    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    await runInDurableObject(stub, (_i, state) => rewriteAsLegacy(state.storage, LEGACY_CLUSTER_STEPS));
    await evictDurableObject(stub);

    expect(await read()).toEqual(before);
    expect(await viewer.api.get(`/v1/clusters/${name}`)).toMatchObject({ cluster: { name } });
    expect(await runInDurableObject(stub, (_i, state) => books(state.storage.sql))).toEqual({ legacy: 0, drizzle: clusterMigrations.journal.entries.length });
    // The audit chain continues from the migrated head.
    await owner.api.delete(`/v1/clusters/${name}/roles/${viewer.signer.address}`);
    const { entries } = await owner.api.get<{ entries: { seq: number }[] }>(`/v1/clusters/${name}/audit`);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  });

  it("a ClusterDO with replicas under the node-only index moves to the covering one, and keeps serving and placing", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const b = await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest", replicas: 3, resources: { cpu_millis: 500, memory_mb: 128 } });
    const read = () => owner.api.get<{ replicas: { id: string; node: string | null }[] }>(`/v1/clusters/${name}/workloads/web`);
    const before = await read();
    expect(before.replicas.filter((r) => r.node)).toHaveLength(3);

    // Back to the layout before 0010: the node-only index, and the migration not yet applied.
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    const indexes = (sql: SqlStorage) => sql.exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'replicas' AND sql IS NOT NULL ORDER BY name").toArray();
    const last = clusterMigrations.journal.entries.at(-1)!;
    expect(last.tag).toBe("0010_replicas_node_alloc");
    await runInDurableObject(stub, (_i, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP INDEX replicas_node_alloc");
      sql.exec("CREATE INDEX `replicas_node` ON `replicas` (`node`)");
      sql.exec("DELETE FROM __drizzle_migrations WHERE created_at = ?", last.when);
      expect(indexes(sql).map((i) => i.name)).toEqual(["replicas_node", "replicas_workload"]);
    });
    await evictDurableObject(stub);

    expect(await read()).toEqual(before);
    const after = await runInDurableObject(stub, (_i, state) => ({
      indexes: indexes(state.storage.sql).map((i) => i.name),
      plan: state.storage.sql.exec<{ detail: string }>("EXPLAIN QUERY PLAN SELECT node, SUM(cpu_millis), SUM(memory_mb), SUM(storage_gb), COUNT(*) FROM replicas WHERE node IS NOT NULL GROUP BY node").toArray().map((r) => r.detail).join("; "),
      books: books(state.storage.sql),
    }));
    expect(after.indexes).toEqual(["replicas_node_alloc", "replicas_workload"]);
    expect(after.plan).toContain("COVERING INDEX replicas_node_alloc");
    expect(after.books).toEqual({ legacy: 0, drizzle: clusterMigrations.journal.entries.length });
    // And it keeps placing (the sums are read through the new index).
    const more = await owner.api.post<{ replicas: { node: string | null }[] }>(`/v1/clusters/${name}/workloads`, { name: "api", image: "oci:/x:latest", replicas: 2, resources: { cpu_millis: 500, memory_mb: 128 } });
    expect(new Set(more.replicas.map((r) => r.node))).toEqual(new Set([a.signer.address, b.signer.address]));
  });

  it("a NotaryDO left part-way through today's steps finishes them, then serves its pending receipts", async () => {
    const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 100, max_block_window_s: 300 } });
    const node = await joinNode(owner.api, name);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: await receiptChain(node.signer, name, "old", (await deployApp(owner.api, name, "old")).container, 3) });
    const stub = env.NOTARY.get(env.NOTARY.idFromName(`${name}/old`));
    // The last step (deliveries) not yet run, as an older build would have left it.
    await runInDurableObject(stub, (_i, state) => rewriteAsLegacy(state.storage, LEGACY_NOTARY_STEPS, LEGACY_NOTARY_STEPS.length - 1));
    await evictDurableObject(stub);

    expect(await owner.api.get(`/v1/clusters/${name}/apps/old/notary`)).toMatchObject({ pending_receipts: 3, current_height: 0 });
    const res = await owner.api.raw("POST", `/v1/clusters/${name}/apps/old/seal`);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { block: LogBlock }).block).toMatchObject({ height: 1, count: 3 });
    // The baseline, adopted, then every later migration applied.
    expect(await runInDurableObject(stub, (_i, state) => books(state.storage.sql))).toEqual({ legacy: 0, drizzle: notaryMigrations.journal.entries.length });
  });
});
