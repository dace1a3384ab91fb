import { describe, expect, it } from "vitest";
import type { ApiClient } from "../../protocol/api-client.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { isoNow } from "../../protocol/time.ts";
import { joinNode, newCluster, receiptChain } from "./helpers.ts";

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
    const batch = async (app: string) => ({ receipts: await receiptChain(a.signer, name, app, "c1", 1000) });
    await a.api.post(`/v1/clusters/${name}/receipts`, await batch("one"));
    await a.api.post(`/v1/clusters/${name}/receipts`, await batch("two"));
    const res = await a.api.raw("POST", `/v1/clusters/${name}/receipts`, await batch("three"));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
