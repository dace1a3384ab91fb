import { describe, expect, it } from "vitest";
import { joinNode, newCluster, wallet } from "./helpers.ts";

describe("metrics and health", () => {
  it("reports ClusterMetrics from what agents report, in JSON and Prometheus text", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name); // 2 cores, 4 GiB
    const dep = await owner.api.post<{ replicas: { id: string }[] }>(`/v1/clusters/${name}/workloads`, {
      name: "w",
      image: "oci:/x:latest",
      replicas: 2,
      resources: { cpu_millis: 500, memory_mb: 512 },
    });
    await node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, {
      usage: { cpu_millis: 1000, memory_mb: 1024, connections: 3 },
      containers: [{ replica: dep.replicas[0].id, status: "running", healthy: false }],
    });
    const m = await owner.api.get<Record<string, number>>(`/v1/clusters/${name}/metrics`);
    expect(m).toMatchObject({
      total_nodes: 1,
      healthy_nodes: 1,
      total_replicas: 2,
      running_replicas: 1,
      cpu_utilization: 0.5,
      memory_utilization: 0.25,
      cpu_allocation: 0.5,
      memory_allocation: 0.25,
      connections: 3,
    });
    expect(m.bpi_audit_entries_per_minute).toBeGreaterThanOrEqual(5);
    const text = await (await owner.api.raw("GET", `/v1/clusters/${name}/metrics?format=prometheus`)).text();
    expect(text).toContain(`enc_cluster_total_nodes{cluster="${name}"} 1`);
    expect(text).toContain(`enc_cluster_cpu_utilization{cluster="${name}"} 0.5`);

    const h = await owner.api.get<{ status: string; nodes: { status: string }[]; replicas: { healthy: boolean | null }[] }>(`/v1/clusters/${name}/health`);
    expect(h.status).toBe("degraded"); // one replica failed its health check
    expect(h.nodes).toEqual([expect.objectContaining({ status: "ready" })]);
    expect(h.replicas.map((r) => r.healthy).sort()).toEqual([false, null]);
    const stranger = await wallet();
    await expect(stranger.api.get(`/v1/clusters/${name}/metrics`)).rejects.toMatchObject({ status: 404 }); // issue 10: not leaked
  });
});
