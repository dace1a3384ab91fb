import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import type { ClusterCtx } from "../../durable-objects/cluster/context.ts";
import { reapRetired } from "../../durable-objects/cluster/rollout.ts";
import { joinNode, newCluster } from "./helpers.ts";

type R = { id: string; node: string; status: string };
type Desired = { version: number; replicas: { id: string; stop?: { grace_s?: number } }[] };

describe("enc rm", () => {
  it("keeps a removed workload's running replicas listed to their agent with the grace until they stop, then drops it", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    const addr = node.signer.address;
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:v1", replicas: 2, resources: { cpu_millis: 100, memory_mb: 32 } });
    const base = `/v1/clusters/${name}/workloads/web`;
    const beat = (containers: { replica: string; status: string }[]) =>
      node.api.post(`/v1/clusters/${name}/nodes/${addr}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers });
    const { replicas } = await owner.api.get<{ replicas: R[] }>(base);
    await beat(replicas.map((r) => ({ replica: r.id, status: "running" })));

    await expect(owner.api.delete(`${base}?grace_period_s=-1`)).rejects.toMatchObject({ status: 400, problem: { field: "grace_period_s" } });
    await expect(owner.api.delete(`${base}?force=yes`)).rejects.toMatchObject({ status: 400, problem: { field: "force" } });
    expect(await owner.api.delete(`${base}?grace_period_s=7`)).toEqual({ deleted: "web" });
    const desired = await node.api.get<Desired>(`/v1/clusters/${name}/nodes/${addr}/desired?wait=0`);
    expect(desired.replicas.map((r) => r.stop)).toEqual([{ grace_s: 7 }, { grace_s: 7 }]);
    const listed = await owner.api.get<{ replicas: R[] }>(base);
    expect(listed.replicas.map((r) => r.status)).toEqual(["stopping", "stopping"]); // and out of the gateway
    await expect(owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:v1" })).rejects.toMatchObject({ status: 409, problem: { field: "name" } });

    await beat([{ replica: replicas[0].id, status: "exited" }]);
    expect((await owner.api.get<{ replicas: R[] }>(base)).replicas.map((r) => r.id)).toEqual([replicas[1].id]);
    await beat([{ replica: replicas[1].id, status: "exited" }]);
    await expect(owner.api.get(base)).rejects.toMatchObject({ status: 404 });
    expect((await node.api.get<Desired>(`/v1/clusters/${name}/nodes/${addr}/desired?wait=0`)).replicas).toEqual([]);
    const { entries } = await owner.api.get<{ entries: { event: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${name}/audit?limit=100`);
    expect(entries.find((e) => e.event === "WorkloadDeleted")!.details).toMatchObject({ grace_period_s: 7, force: false });
  });

  it("--force asks for a grace of 0; replicas that never ran go at once", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    const addr = node.signer.address;
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:v1", replicas: 2, resources: { cpu_millis: 100, memory_mb: 32 } });
    const base = `/v1/clusters/${name}/workloads/web`;
    const { replicas } = await owner.api.get<{ replicas: R[] }>(base);
    await node.api.post(`/v1/clusters/${name}/nodes/${addr}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: [{ replica: replicas[0].id, status: "running" }] });
    await owner.api.delete(`${base}?force=true`);
    const desired = await node.api.get<Desired>(`/v1/clusters/${name}/nodes/${addr}/desired?wait=0`);
    expect(desired.replicas).toEqual([expect.objectContaining({ id: replicas[0].id, stop: { grace_s: 0 } })]);
  });

  it("without flags also waits for the agent (its own grace); a node that never answers is dropped after grace + slack, audited", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    const addr = node.signer.address;
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:v1", resources: { cpu_millis: 100, memory_mb: 32 } });
    const base = `/v1/clusters/${name}/workloads/web`;
    const { replicas } = await owner.api.get<{ replicas: R[] }>(base);
    await node.api.post(`/v1/clusters/${name}/nodes/${addr}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: [{ replica: replicas[0].id, status: "running" }] });
    const t0 = Date.now();
    await owner.api.delete(base);
    const desired = await node.api.get<Desired>(`/v1/clusters/${name}/nodes/${addr}/desired?wait=0`);
    expect(desired.replicas).toEqual([expect.objectContaining({ id: replicas[0].id, stop: {} })]);
    expect((await owner.api.get<{ replicas: R[] }>(base)).replicas.map((r) => r.status)).toEqual(["stopping"]);

    const reap = (now: number) =>
      runInDurableObject(env.CLUSTER.get(env.CLUSTER.idFromName(name)), async (inst: ClusterDO) => {
        const self = inst as unknown as { ctxFor(r: unknown): ClusterCtx; record(): unknown; ctx: DurableObjectState; outbox: { flush(): Promise<void> } };
        const changed = self.ctx.storage.transactionSync(() => reapRetired(self.ctxFor(self.record()), now));
        await self.outbox.flush();
        return changed;
      });
    expect(await reap(t0 + 55_000)).toBe(false); // the agent's grace (assumed up to 30 s) plus 30 s slack is not over
    await owner.api.get(base);
    expect(await reap(t0 + 61_000)).toBe(true);
    await expect(owner.api.get(base)).rejects.toMatchObject({ status: 404 });
    const { entries } = await owner.api.get<{ entries: { event: string; subject: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${name}/audit?limit=100`);
    expect(entries.find((e) => e.event === "ReplicaStopUnconfirmed")).toMatchObject({ subject: replicas[0].id, details: { workload: "web", node: addr } });
  });
});
