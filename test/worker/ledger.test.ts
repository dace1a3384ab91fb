import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifyAppLedger, verifyAuditChain, type AppLedgerSource } from "../../protocol/ledger-verify.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import type { ApiClient } from "../../protocol/api-client.ts";
import type { NotaryDO, NotaryLimits } from "../../durable-objects/notary/notary-do.ts";
import type { Result } from "../../domain/result.ts";
import { deployApp, joinNode, newCluster, receiptChain } from "./helpers.ts";
import { applyLedgerWrites } from "../../domain/ledger/writes.ts";
import { canonicalize } from "../../protocol/jcs.ts";

const source = (api: ApiClient, cluster: string, app: string): AppLedgerSource => ({
  blocks: async (from, limit) => (await api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${cluster}/apps/${app}/blocks?from_height=${from}&limit=${limit}`)).blocks,
  blockReceipts: async (h) => (await api.get<{ receipts: StepReceipt[] }>(`/v1/clusters/${cluster}/apps/${app}/blocks/${h}/receipts`)).receipts,
});

const d1Count = async (sql: string, ...binds: unknown[]) => (await env.LEDGER.prepare(sql).bind(...binds).first<{ n: number }>())!.n;

describe("D1 ledger", () => {
  it("loses nothing when the DO is evicted between its transaction and the D1 flush", async () => {
    const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 3, max_block_window_s: 300 } });
    const node = await joinNode(owner.api, name);
    const chain = await receiptChain(node.signer, name, "evict", "c1", 4);
    const stub = env.NOTARY.get(env.NOTARY.idFromName(`${name}/evict`));
    // Commit the state change only (what admitVerified does before it flushes), then lose the instance.
    await runInDurableObject(stub, async (inst: NotaryDO) => {
      await (inst as unknown as { ensureSchema(): Promise<void> }).ensureSchema();
      const admitBatch = (inst as unknown as { admitBatch: (l: NotaryLimits, r: StepReceipt[], i: number[], e: string[]) => Result<unknown> }).admitBatch.bind(inst);
      const res = admitBatch({ max_receipts_per_block: 3, max_block_window_s: 300 }, chain, [0, 1, 2, 3], chain.map((r) => canonicalize(r)));
      expect(res).toMatchObject({ ok: true });
    });
    await evictDurableObject(stub);
    expect(await d1Count("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ?", name)).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await d1Count("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ?", name)).toBe(4);
    expect(await d1Count("SELECT COUNT(*) AS n FROM blocks WHERE cluster = ?", name)).toBe(1);
    expect(await d1Count("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ? AND block_height = 1", name)).toBe(3);
    const report = await verifyAppLedger(source(owner.api, name, "evict"), (await owner.api.get<{ notary: string }>("/v1/keys")).notary);
    expect(report).toMatchObject({ blocks: 1, receipts: 3, problems: [] });
  });

  it("a deploy answers before D1 has its audit entries; an evicted ClusterDO loses none, and GET …/audit sees them all", async () => {
    const { name, owner } = await newCluster();
    await joinNode(owner.api, name);
    const { replicas } = await owner.api.post<{ replicas: { id: string; node: string | null }[] }>(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest", replicas: 3 });
    expect(replicas.every((r) => r.node)).toBe(true);
    // Lose the instance at once: the entries, their outbox row and the alarm were committed together.
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    await evictDurableObject(stub);
    const deployed = "SELECT COUNT(*) AS n FROM audit_entries WHERE cluster = ? AND event IN ('WorkloadDeployed', 'ReplicaCreated', 'ResourceAllocation')";
    expect(await d1Count(deployed, name)).toBe(0);
    // The route's read barrier flushes the new instance's outbox before reading D1.
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.map((e) => e.event)).toEqual(["ClusterCreated", "JoinTokenIssued", "NodeAdded", "WorkloadDeployed", "ReplicaCreated", "ResourceAllocation"]);
    expect(entries.at(-1)!.details).toMatchObject({ workload: "web", allocations: replicas.map((r) => ({ replica: r.id, node: r.node })) });
    const keys = await owner.api.get<{ control_plane: string }>("/v1/keys");
    expect(await verifyAuditChain(entries, keys.control_plane)).toEqual([]);
    expect(await d1Count(deployed, name)).toBe(3);
    const head = await owner.api.get<{ size: number }>(`/v1/clusters/${name}/audit/head`);
    expect(head.size).toBe(entries.length);
  });

  it("the ClusterDO's alarm alone sends a deploy's audit entries to D1 after an eviction", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    await evictDurableObject(stub);
    const deployed = "SELECT COUNT(*) AS n FROM audit_entries WHERE cluster = ? AND event IN ('WorkloadDeployed', 'ReplicaCreated')";
    expect(await d1Count(deployed, name)).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await d1Count(deployed, name)).toBe(2);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n)).toBe(0);
  });

  it("a scale and an update answer before D1 has their entries too; the alarm alone sends them after an eviction", async () => {
    const { name, owner } = await newCluster();
    await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
    await owner.api.get(`/v1/clusters/${name}/audit`); // the deploy's entries are in D1 now
    await owner.api.post(`/v1/clusters/${name}/workloads/web/scale`, { replicas: 2 });
    await owner.api.put(`/v1/clusters/${name}/workloads/web`, { name: "web", image: "oci:/x:latest", replicas: 2, env: { A: "1" } });
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    await evictDurableObject(stub);
    const changed = "SELECT COUNT(*) AS n FROM audit_entries WHERE cluster = ? AND event IN ('WorkloadScaled', 'WorkloadUpdated')";
    expect(await d1Count(changed, name)).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await d1Count(changed, name)).toBe(2);
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(await verifyAuditChain(entries, (await owner.api.get<{ control_plane: string }>("/v1/keys")).control_plane)).toEqual([]);
  });

  it("audit bodies reach D1 byte for byte, columns read from each body, in statements of bound bodies (more than one), idempotently", async () => {
    const cluster = `bodies-${crypto.randomUUID()}`;
    // 120 bodies in key orders JSON.stringify gives (not JCS), with quotes and non-ASCII to carry.
    const bodies = Array.from({ length: 120 }, (_, i) =>
      JSON.stringify({ v: 1, cluster, seq: i + 1, ts: `2026-12-06T12:00:${String(i % 60).padStart(2, "0")}.000Z`, event: i % 2 ? "ReplicaCreated" : "ResourceAllocation", actor: "bpi1actor", subject: `"${i}" réplicas`, details: { n: i, pad: "x".repeat(i * 50) }, prev_hash: "blake3:genesis", hash: `blake3:${cluster}-${i}`, sig: "s" }),
    );
    await applyLedgerWrites(env.LEDGER, [{ kind: "audit_bodies", bodies: bodies.slice(0, 70) }, { kind: "audit_bodies", bodies: bodies.slice(70) }]);
    await applyLedgerWrites(env.LEDGER, [{ kind: "audit_bodies", bodies }]);
    const rows = (await env.LEDGER.prepare("SELECT hash, cluster, seq, ts, event, actor, subject, body FROM audit_entries WHERE cluster = ? ORDER BY seq").bind(cluster).all()).results;
    expect(rows.map((r) => r.body)).toEqual(bodies);
    expect(rows.map(({ body: _b, ...cols }) => cols)).toEqual(
      bodies.map((b) => {
        const e = JSON.parse(b) as Record<string, unknown>;
        return { hash: e.hash, cluster: e.cluster, seq: e.seq, ts: e.ts, event: e.event, actor: e.actor, subject: e.subject };
      }),
    );
  });

  it("keeps the ledger append-only", async () => {
    const { name } = await newCluster();
    await expect(env.LEDGER.prepare("UPDATE audit_entries SET actor = 'x' WHERE cluster = ?").bind(name).run()).rejects.toThrow(/append-only/);
    await expect(env.LEDGER.prepare("DELETE FROM audit_entries WHERE cluster = ?").bind(name).run()).rejects.toThrow(/append-only/);
  });

  it("reports a receipt row tampered in D1, and a tampered audit row", async () => {
    const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 4, max_block_window_s: 300 } });
    const node = await joinNode(owner.api, name);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: await receiptChain(node.signer, name, "web", (await deployApp(owner.api, name, "web")).container, 8) });
    const keys = await owner.api.get<{ notary: string; control_plane: string }>("/v1/keys");
    expect((await verifyAppLedger(source(owner.api, name, "web"), keys.notary)).problems).toEqual([]);

    // An attacker with write access to D1 drops the guard and edits a signed body.
    await env.LEDGER.exec("DROP TRIGGER receipts_body_frozen");
    try {
      const row = await env.LEDGER.prepare("SELECT hash, body FROM receipts WHERE cluster = ? AND leaf_index = 2 AND block_height = 2").bind(name).first<{ hash: string; body: string }>();
      const forged = { ...JSON.parse(row!.body), resource: { cpu_ms: 999999, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 } };
      await env.LEDGER.prepare("UPDATE receipts SET body = ? WHERE hash = ?").bind(JSON.stringify(forged), row!.hash).run();
    } finally {
      await env.LEDGER.exec(
        "CREATE TRIGGER receipts_body_frozen BEFORE UPDATE OF hash, cluster, app, node, container, op, ts, prev_hash, body ON receipts BEGIN SELECT RAISE(ABORT, 'receipts is append-only'); END;",
      );
    }
    const report = await verifyAppLedger(source(owner.api, name, "web"), keys.notary);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].where).toMatch(/^block 2 receipt 2/);
    expect(report.problems[0].problem).toMatch(/hash/);

    const audit = async () => (await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit`)).entries;
    const entries = await audit();
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(["ClusterCreated", "JoinTokenIssued", "NodeAdded", "LogBlockSealed"]));
    expect(await verifyAuditChain(entries, keys.control_plane)).toEqual([]);
    await env.LEDGER.exec("DROP TRIGGER audit_entries_no_update");
    try {
      const e = entries[1];
      await env.LEDGER.prepare("UPDATE audit_entries SET body = ? WHERE hash = ?").bind(JSON.stringify({ ...e, actor: "system" }), e.hash).run();
    } finally {
      await env.LEDGER.exec("CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;");
    }
    const problems = await verifyAuditChain(await audit(), keys.control_plane);
    expect(problems.map((p) => p.where)).toEqual(["audit seq 2"]);
  });
});
