import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ApiClient } from "../../protocol/api-client.ts";
import { joinNode, newCluster } from "./helpers.ts";

type R = { id: string; node: string | null; replica_type: string; status: string };

const beat = (api: ApiClient, cluster: string, node: string, containers: { replica: string; status: string }[] = []) =>
  api.post(`/v1/clusters/${cluster}/nodes/${node}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers });

describe("node lifecycle and self-healing", () => {
  it("marks a silent node Down by alarm and promotes the Secondary of its lost Primary", async () => {
    const { name, owner } = await newCluster({ heartbeat_ttl_s: 1, heartbeat_grace_s: 0 });
    const nodes = [await joinNode(owner.api, name), await joinNode(owner.api, name), await joinNode(owner.api, name)];
    const byAddr = new Map(nodes.map((n) => [n.signer.address, n]));
    const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, { name: "db", image: "oci:/x:latest", replicas: 1, secondaries: 1 });
    const primary = dep.replicas.find((r) => r.replica_type === "primary")!;
    const secondary = dep.replicas.find((r) => r.replica_type === "secondary")!;
    expect(primary.node).not.toBeNull();
    expect(secondary.node).not.toBe(primary.node); // never on one node
    for (const r of dep.replicas) await beat(byAddr.get(r.node!)!.api, name, r.node!, [{ replica: r.id, status: "running" }]);

    // Everyone but the primary's node keeps beating; the liveness alarm notices the silence.
    const statusOf = async (addr: string) =>
      (await owner.api.get<{ nodes: { address: string; status: string }[] }>(`/v1/clusters/${name}/nodes`)).nodes.find((n) => n.address === addr)!.status;
    const deadline = Date.now() + 8000;
    while ((await statusOf(primary.node!)) !== "down" && Date.now() < deadline) {
      for (const n of nodes) if (n.signer.address !== primary.node) await beat(n.api, name, n.signer.address);
      await runDurableObjectAlarm(env.CLUSTER.get(env.CLUSTER.idFromName(name)));
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await statusOf(primary.node!)).toBe("down");
    for (const n of nodes) if (n.signer.address !== primary.node) expect(await statusOf(n.signer.address)).toBe("ready");
    const { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/db`);
    const newPrimary = replicas.find((r) => r.replica_type === "primary")!;
    expect(newPrimary.id).toBe(secondary.id);
    expect(newPrimary.node).toBe(secondary.node);
    const newSecondary = replicas.find((r) => r.replica_type === "secondary")!;
    expect(newSecondary.id).not.toBe(secondary.id);
    expect([primary.node, secondary.node]).not.toContain(newSecondary.node);
    expect(replicas.find((r) => r.id === primary.id)).toBeUndefined();

    const { entries } = await owner.api.get<{ entries: { event: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.find((e) => e.event === "ReplicaFailover")?.details).toMatchObject({ promoted: secondary.id, replaces: primary.id });
    expect(entries.find((e) => e.event === "NodeStatusChanged")?.details).toMatchObject({ to: "down" });

    // The node comes back: it is ready again and its desired state no longer holds the moved replica.
    const back = byAddr.get(primary.node!)!;
    await beat(back.api, name, back.signer.address);
    const d = await back.api.get<{ replicas: { id: string }[] }>(`/v1/clusters/${name}/nodes/${back.signer.address}/desired?wait=0`);
    expect(d.replicas.map((r) => r.id)).not.toContain(primary.id);
  });

  it("keeps a down node's replica bound to it when no other node can take it", async () => {
    const { name, owner } = await newCluster({ heartbeat_ttl_s: 1, heartbeat_grace_s: 0 });
    const only = await joinNode(owner.api, name);
    const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, { name: "solo", image: "oci:/x:latest" });
    await beat(only.api, name, only.signer.address, [{ replica: dep.replicas[0].id, status: "running" }]);
    const status = async () =>
      (await owner.api.get<{ nodes: { status: string }[] }>(`/v1/clusters/${name}/nodes`)).nodes[0].status;
    const deadline = Date.now() + 8000;
    while ((await status()) !== "down" && Date.now() < deadline) {
      await runDurableObjectAlarm(env.CLUSTER.get(env.CLUSTER.idFromName(name)));
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await status()).toBe("down");
    const { replicas } = await owner.api.get<{ replicas: (R & { reason?: string })[] }>(`/v1/clusters/${name}/workloads/solo`);
    expect(replicas[0].node).toBe(only.signer.address);
    expect(replicas[0].reason).toMatch(/no other node fits/);
    // When the node returns, its desired state still holds the replica: nothing is restarted.
    await beat(only.api, name, only.signer.address);
    const d = await only.api.get<{ replicas: { id: string }[] }>(`/v1/clusters/${name}/nodes/${only.signer.address}/desired?wait=0`);
    expect(d.replicas.map((r) => r.id)).toEqual([dep.replicas[0].id]);
  });

  it("cordons and drains a node", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const b = await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/cordon`);
    const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest", replicas: 2 });
    expect(dep.replicas.every((r) => r.node === b.signer.address)).toBe(true);
    await owner.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/uncordon`);
    await owner.api.post(`/v1/clusters/${name}/nodes/${b.signer.address}/drain`);
    const { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`);
    expect(replicas.every((r) => r.node === a.signer.address)).toBe(true);
    await expect(a.api.post(`/v1/clusters/${name}/nodes/${b.signer.address}/cordon`)).rejects.toMatchObject({ status: 403 });
  });
});
