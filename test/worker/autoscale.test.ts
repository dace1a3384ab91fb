import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import { autoscale } from "../../durable-objects/cluster/scaling.ts";
import type { ClusterCtx } from "../../durable-objects/cluster/context.ts";
import { joinNode, newCluster } from "./helpers.ts";

type R = { id: string; node: string; replica_type: string; status: string };

describe("autoscaling", () => {
  it("scales up at once, holds scale-down for the stabilization window, and audits the inputs", async () => {
    const { name, owner } = await newCluster();
    const nodes = await Promise.all([1, 2, 3].map(() => joinNode(owner.api, name)));
    const byAddr = new Map(nodes.map((n) => [n.signer.address, n]));
    await owner.api.post(`/v1/clusters/${name}/workloads`, {
      name: "api",
      image: "oci:/x:latest",
      replicas: 2,
      resources: { cpu_millis: 100, memory_mb: 32 },
      autoScaling: { enabled: true, minReplicas: 1, maxReplicas: 6, targetCPU: 50 },
    });
    const report = async (cpu: number) => {
      const { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/api`);
      for (const r of replicas) {
        await byAddr.get(r.node)!.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, {
          usage: { cpu_millis: 0, memory_mb: 0 },
          containers: [{ replica: r.id, status: "running", cpu_percent: cpu }],
        });
      }
      return replicas.length;
    };
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    const pass = (now: number) =>
      runInDurableObject(stub, async (inst: ClusterDO) => {
        const self = inst as unknown as { ctxFor(r: unknown): ClusterCtx; record(): unknown; ctx: DurableObjectState; outbox: { flush(): Promise<void> } };
        const changed = self.ctx.storage.transactionSync(() => autoscale(self.ctxFor(self.record()), now));
        await self.outbox.flush();
        return changed;
      });
    const t0 = Date.now();
    expect(await report(100)).toBe(2);
    expect(await pass(t0)).toBe(true); // ceil(2 × 100 / 50) = 4
    expect(await report(10)).toBe(4);
    expect(await pass(t0 + 15_000)).toBe(false); // wants 1, held at 4 by the recommendation of t0
    expect(await report(52)).toBe(4); // within the 10 % tolerance: no change
    expect(await pass(t0 + 30_000)).toBe(false);
    await report(10);
    expect(await pass(t0 + 301_000)).toBe(false); // t0 + 30 s still recommends 4
    expect(await pass(t0 + 331_000)).toBe(true); // every recommendation of 4 has aged out
    const { replicas: all } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/api`);
    // The surplus drains first: out of the gateway ("stopping"), still on its node for a moment.
    const replicas = all.filter((r) => r.status !== "stopping");
    expect(replicas.length).toBeLessThan(4);
    expect(all).toHaveLength(4);
    const { entries } = await owner.api.get<{ entries: { event: string; actor: string; details: Record<string, any> }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    const scaled = entries.filter((e) => e.event === "WorkloadScaled");
    expect(scaled.map((e) => [e.details.from, e.details.to])).toEqual([[2, 4], [4, replicas.length]]);
    expect(scaled[0]).toMatchObject({ actor: "system", details: { reason: "scale_up", inputs: { targetCPU: 50, observedCPU: 100, current: 2 } } });
  });

  it("scales by hand through the API (operator)", async () => {
    const { name, owner } = await newCluster();
    await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "w", image: "oci:/x:latest", replicas: 1 });
    const res = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/w/scale`, { replicas: 3 });
    expect(res.replicas.filter((r) => r.replica_type === "primary")).toHaveLength(3);
    const down = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/w/scale`, { replicas: 0 });
    expect(down.replicas).toHaveLength(0);
    await expect(owner.api.post(`/v1/clusters/${name}/workloads/w/scale`, { replicas: -1 })).rejects.toMatchObject({ status: 422, problem: { field: "replicas" } });
  });
});
