import { describe, expect, it } from "vitest";
import { joinNode, newCluster } from "./helpers.ts";

type R = { id: string; node: string; spec_version: number; status: string };

describe("rolling update", () => {
  it("keeps old replicas until new ones run, then retires them", async () => {
    const { name, owner } = await newCluster();
    const nodes = await Promise.all([1, 2].map(() => joinNode(owner.api, name)));
    const byAddr = new Map(nodes.map((n) => [n.signer.address, n]));
    const spec = { name: "web", image: "oci:/x:v1", replicas: 2, resources: { cpu_millis: 100, memory_mb: 32 } };
    await owner.api.post(`/v1/clusters/${name}/workloads`, spec);
    const report = async (filter: (r: R) => boolean) => {
      const { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`);
      for (const r of replicas.filter(filter)) {
        await byAddr.get(r.node)!.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, {
          usage: { cpu_millis: 0, memory_mb: 0 },
          containers: [{ replica: r.id, status: "running" }],
        });
      }
    };
    await report(() => true);
    const started = await owner.api.put<{ workload: { version: number }; replicas: R[] }>(`/v1/clusters/${name}/workloads/web`, { ...spec, image: "oci:/x:v2" });
    expect(started.workload.version).toBe(2);
    expect(started.replicas.filter((r) => r.spec_version === 1)).toHaveLength(2); // old ones still serve
    expect(started.replicas.filter((r) => r.spec_version === 2)).toHaveLength(2);

    // The node's desired state carries each replica's own version of the spec.
    const n0 = nodes[0].signer.address;
    const d = await nodes[0].api.get<{ replicas: { id: string; spec: { image: string } }[] }>(`/v1/clusters/${name}/nodes/${n0}/desired?wait=0`);
    expect(new Set(d.replicas.map((r) => r.spec.image))).toEqual(new Set(["oci:/x:v1", "oci:/x:v2"]));

    await report((r) => r.spec_version === 2 && r.node === n0); // one new replica is up
    let { replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`);
    expect(replicas.filter((r) => r.spec_version === 1)).toHaveLength(1);
    await report((r) => r.spec_version === 2);
    ({ replicas } = await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`));
    expect(replicas.map((r) => r.spec_version)).toEqual([2, 2]);
    await expect(owner.api.put(`/v1/clusters/${name}/workloads/web`, { ...spec, name: "other" })).rejects.toMatchObject({ status: 422, problem: { field: "name" } });
  });
});
