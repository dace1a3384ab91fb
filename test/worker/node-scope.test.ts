import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ApiClient } from "../../protocol/api-client.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { GENESIS } from "../../protocol/hash.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { isoNow, toIso } from "../../protocol/time.ts";
import { deployApp, joinNode, ledgerFlushed, newCluster, receiptChain } from "./helpers.ts";

type R = { id: string; node: string | null; container: string; status: string };

const beat = (api: ApiClient, cluster: string, node: string, containers: { replica: string; status: string }[] = []) =>
  api.post(`/v1/clusters/${cluster}/nodes/${node}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers });

describe("node keys and scope (issue 10, finding 4)", () => {
  it("a removed node's key is refused everywhere and its replicas move to another node", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
    const r = dep.replicas[0];
    expect(r.node).toBe(a.signer.address);
    const b = await joinNode(owner.api, name);
    const chain = await receiptChain(a.signer, name, "web", r.container, 2);
    await a.api.post(`/v1/clusters/${name}/receipts`, { receipts: [chain[0]] });

    const { removed } = await owner.api.delete<{ removed: { address: string } }>(`/v1/clusters/${name}/nodes/${a.signer.address}`);
    expect(removed.address).toBe(a.signer.address);
    // A revoked key holds no role: like any stranger it gets 404 (issue 10: no existence leak).

    await expect(beat(a.api, name, a.signer.address)).rejects.toMatchObject({ status: 404 });
    await expect(a.api.post(`/v1/clusters/${name}/receipts`, { receipts: [chain[1]] })).rejects.toMatchObject({ status: 404 });
    await expect(a.api.get(`/v1/clusters/${name}/nodes/${a.signer.address}/desired?wait=0`)).rejects.toMatchObject({ status: 404 });
    const { nodes } = await owner.api.get<{ nodes: { address: string }[] }>(`/v1/clusters/${name}/nodes`);
    expect(nodes.map((n) => n.address)).toEqual([b.signer.address]);
    const { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`);
    expect(replicas.map((x) => x.node)).toEqual([b.signer.address]);
    const { entries } = await owner.api.get<{ entries: { event: string; subject: string }[] }>(`/v1/clusters/${name}/audit`);
    expect(entries).toContainEqual(expect.objectContaining({ event: "NodeRemoved", subject: a.signer.address }));
  });

  it("only an admin removes a node, and an unknown node is 404", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    await expect(a.api.delete(`/v1/clusters/${name}/nodes/${a.signer.address}`)).rejects.toMatchObject({ status: 403 });
    const b = await joinNode(owner.api, name);
    await owner.api.delete(`/v1/clusters/${name}/nodes/${b.signer.address}`);
    await expect(owner.api.delete(`/v1/clusters/${name}/nodes/${b.signer.address}`)).rejects.toMatchObject({ status: 404, problem: { field: "node" } });
    await beat(a.api, name, a.signer.address);
  });

  it("refuses receipts with an app name outside the rules, an unbounded value or an absurd time, naming the field", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const one = (over: Record<string, unknown>) =>
      signReceipt(
        { v: 1, cluster: name, app: "web", node: a.signer.address, container: "c1", op: "create", ts: isoNow(), resource: { cpu_ms: 0, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: GENESIS, ...over } as never,
        a.signer,
      );
    const post = async (over: Record<string, unknown>) => a.api.post(`/v1/clusters/${name}/receipts`, { receipts: [await one(over)] });
    await expect(post({ app: "../Evil App" })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringMatching(/receipts.*0.*app/) } });
    await expect(post({ resource: { cpu_ms: 0, memory_mb_s: 1e308, storage_gb_day: 0, egress_mb: 0 } })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringMatching(/memory_mb_s/) } });
    await expect(post({ ts: "0000-01-01T00:00:00.000Z" })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringMatching(/ts/) } });
  });

  it("answers 429 with Retry-After when one node floods receipts, before any notary is opened", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const batch = async (app: string) => ({ receipts: await receiptChain(a.signer, name, app, (await deployApp(owner.api, name, app)).container, 1000) });
    await a.api.post(`/v1/clusters/${name}/receipts`, await batch("one"));
    await a.api.post(`/v1/clusters/${name}/receipts`, await batch("two"));
    const res = await a.api.raw("POST", `/v1/clusters/${name}/receipts`, await batch("three"));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses receipts for an app or a container the node was never assigned, naming the field, and admits none of the batch", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const web = await deployApp(owner.api, name, "web");
    expect(web.node).toBe(a.signer.address);
    const b = await joinNode(owner.api, name);
    const api = await deployApp(owner.api, name, "api");
    const [holder, outsider] = api.node === a.signer.address ? [a, b] : [b, a];
    const good = await receiptChain(a.signer, name, "web", web.container, 2);
    const post = (n: typeof a, receipts: StepReceipt[]) => n.api.post<{ accepted: number }>(`/v1/clusters/${name}/receipts`, { receipts });
    const found = (hash: string) => owner.api.get(`/v1/receipts/${hash}`).then(() => true, (e: { status: number }) => (e.status === 404 ? false : Promise.reject(e)));

    // An app that does not exist, in the middle of good receipts: the whole batch is refused.
    const [ghost] = await receiptChain(a.signer, name, "ghost", "ghost-1.1", 1);
    await expect(post(a, [...good, ghost])).rejects.toMatchObject({ status: 422, problem: { field: "receipts[2].app" } });
    await ledgerFlushed(name, "web");
    expect(await found(good[0].hash)).toBe(false);
    // An app that exists but has no replica on this node.
    const [foreign] = await receiptChain(outsider.signer, name, "api", api.container, 1);
    await expect(post(outsider, [foreign])).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].app" } });
    // The node's app, but a container of another replica, or one not named after a replica.
    for (const container of ["web-99.1", "c1", `${web.replica}.x`, `${web.replica}.1.2`, api.container]) {
      const [r] = await receiptChain(a.signer, name, "web", container, 1);
      await expect(post(a, [r]), container).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].container" } });
    }
    expect(await post(a, good)).toMatchObject({ accepted: 2 });
    await ledgerFlushed(name, "web");
    expect(await found(good[0].hash)).toBe(true);
    expect(await post(holder, await receiptChain(holder.signer, name, "api", api.container, 1))).toMatchObject({ accepted: 1 });
  });

  it("still takes a node's late receipts for a replica moved away or deleted, and the new node's", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const web = await deployApp(owner.api, name, "web");
    const chain = await receiptChain(a.signer, name, "web", web.container, 3);
    const post = (n: typeof a, receipts: StepReceipt[]) => n.api.post<{ accepted: number }>(`/v1/clusters/${name}/receipts`, { receipts });
    await post(a, chain.slice(0, 1));
    const b = await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/drain`, {});
    const { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`);
    expect(replicas).toEqual([expect.objectContaining({ id: web.replica, node: b.signer.address })]);
    expect(await post(a, chain.slice(1, 2))).toMatchObject({ accepted: 1 });
    expect(await post(b, await receiptChain(b.signer, name, "web", `${web.replica}.7`, 1))).toMatchObject({ accepted: 1 });
    await owner.api.delete(`/v1/clusters/${name}/workloads/web`);
    expect(await post(a, chain.slice(2))).toMatchObject({ accepted: 1 });
    expect(await post(b, await receiptChain(b.signer, name, "web", `${web.replica}.8`, 1))).toMatchObject({ accepted: 1 });
    // A third node, which never ran it, may not.
    const c = await joinNode(owner.api, name);
    await expect(post(c, await receiptChain(c.signer, name, "web", `${web.replica}.9`, 1))).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].app" } });
  });

  it("refuses a receipt time more than 10 minutes ahead of or 7 days behind the notary's clock, naming ts", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const { container } = await deployApp(owner.api, name, "web");
    const at = async (ms: number) =>
      signReceipt(
        { v: 1, cluster: name, app: "web", node: a.signer.address, container, op: "create", ts: toIso(Date.now() + ms), resource: { cpu_ms: 0, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: GENESIS },
        a.signer,
      );
    const post = async (ms: number) => a.api.post<{ accepted: number }>(`/v1/clusters/${name}/receipts`, { receipts: [await at(ms)] });
    const DAY = 86_400_000;
    await expect(post(11 * 60_000)).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].ts", detail: expect.stringMatching(/ahead of the notary's clock/) } });
    await expect(post(-8 * DAY)).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].ts", detail: expect.stringMatching(/behind the notary's clock/) } });
    expect(await post(-6 * DAY)).toMatchObject({ accepted: 1 });
  });

  it("refuses a batch of 1,000 receipts for 1,000 apps quickly, before any notary exists", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const web = await deployApp(owner.api, name, "web");
    const apps = Array.from({ length: 1000 }, (_, i) => `flood-${i}`);
    const receipts = await Promise.all(apps.map(async (app) => (await receiptChain(a.signer, name, app, `${app}-1.1`, 1))[0]));
    const started = Date.now();
    await expect(a.api.post(`/v1/clusters/${name}/receipts`, { receipts })).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].app" } });
    expect(Date.now() - started).toBeLessThan(10_000);
    const notaryOf = (app: string) => env.NOTARY.idFromName(`${name}/${app}`).toString();
    const created = new Set((await listDurableObjectIds(env.NOTARY)).map((id) => id.toString()));
    expect(apps.filter((app) => created.has(notaryOf(app)))).toEqual([]);
    expect((await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ?").bind(name).first<{ n: number }>())!.n).toBe(0);
    // The same listing does show a notary once a receipt is in scope.
    await a.api.post(`/v1/clusters/${name}/receipts`, { receipts: await receiptChain(a.signer, name, "web", web.container, 1) });
    expect((await listDurableObjectIds(env.NOTARY)).map((id) => id.toString())).toContain(notaryOf("web"));
  });

  it("remembers the replicas a node left for 7 days, the newest 1,000 of them", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const web = await deployApp(owner.api, name, "web");
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    const DAY = 86_400_000;
    const now = Date.now();
    // As if the node had left 1,000 replicas of `old` over the last seconds, and one 8 days ago.
    await runInDurableObject(stub, (_i, state) => {
      const row = "INSERT INTO past_assignments (node, replica, workload, ended_at) VALUES (?, ?, 'old', ?)";
      for (let i = 0; i < 1000; i++) state.storage.sql.exec(row, a.signer.address, `old-${i}`, now - 10_000 + i);
      state.storage.sql.exec(row, a.signer.address, "old-stale", now - 8 * DAY);
    });
    const post = async (app: string, container: string) => a.api.post<{ accepted: number }>(`/v1/clusters/${name}/receipts`, { receipts: await receiptChain(a.signer, name, app, container, 1) });
    await expect(post("old", "old-stale.1")).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].container" } });
    expect(await post("old", "old-0.1")).toMatchObject({ accepted: 1 });
    // Leaving `web` makes 1,001 recent ones: the oldest is forgotten, the stale one pruned.
    await owner.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/drain`, {});
    expect(await post("web", web.container)).toMatchObject({ accepted: 1 });
    await expect(post("old", "old-0.2")).rejects.toMatchObject({ status: 422, problem: { field: "receipts[0].container" } });
    expect(await post("old", "old-1.1")).toMatchObject({ accepted: 1 });
    const kept = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM past_assignments WHERE node = ?", a.signer.address).one().n);
    expect(kept).toBe(1000);
  });
});
