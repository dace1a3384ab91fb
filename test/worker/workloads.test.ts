import { describe, expect, it } from "vitest";
import { hashCanonical } from "../../protocol/hash.ts";
import { signingInput, textToSig } from "../../protocol/signed.ts";
import { verifyWithAddress } from "../../protocol/ed25519.ts";
import { toBase64, utf8 } from "../../protocol/bytes.ts";
import { joinNode, newCluster, wallet } from "./helpers.ts";

type Desired = { version: number; node: string; replicas: { id: string; workload: string; spec: { image: string } }[]; hash: string; sig: string };

async function verifyDesired(d: Desired, controlPlane: string) {
  const { hash, sig, ...body } = d;
  expect(hashCanonical(body)).toBe(hash);
  return verifyWithAddress(controlPlane, signingInput("enc/desired-state/v1", hash), textToSig(sig));
}

describe("workloads and the agent channel", () => {
  it("places replicas on ready nodes and hands each node its signed desired state", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const b = await joinNode(owner.api, name);
    const spec = { name: "hello", image: "oci:/srv/images/busybox:latest", command: ["/bin/echo", "hi"], replicas: 2, resources: { cpu_millis: 500, memory_mb: 128 } };
    const res = await owner.api.post<{ replicas: { id: string; node: string; status: string }[] }>(`/v1/clusters/${name}/workloads`, spec);
    expect(res.replicas).toHaveLength(2);
    // Anti-affinity: the two replicas land on distinct nodes.
    expect(new Set(res.replicas.map((r) => r.node))).toEqual(new Set([a.signer.address, b.signer.address]));

    const { control_plane } = await owner.api.get<{ control_plane: string }>("/v1/keys");
    const da = await a.api.get<Desired>(`/v1/clusters/${name}/nodes/${a.signer.address}/desired?wait=0`);
    expect(da.node).toBe(a.signer.address);
    expect(da.replicas).toHaveLength(1);
    expect(da.replicas[0].spec.image).toBe(spec.image);
    expect(await verifyDesired(da, control_plane)).toBe(true);
    expect(await verifyDesired({ ...da, replicas: [] }, control_plane).catch(() => false)).toBe(false);

    // A node may not read or report for another node.
    await expect(a.api.get(`/v1/clusters/${name}/nodes/${b.signer.address}/desired?wait=0`)).rejects.toMatchObject({ status: 403 });

    // Heartbeat with container states updates the replica view.
    const mine = da.replicas[0].id;
    await a.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/heartbeat`, {
      usage: { cpu_millis: 10, memory_mb: 20 },
      containers: [{ replica: mine, status: "exited", exit_code: 0, restarts: 0 }],
    });
    const got = await owner.api.get<{ replicas: { id: string; status: string; exit_code?: number }[] }>(`/v1/clusters/${name}/workloads/hello`);
    expect(got.replicas.find((r) => r.id === mine)).toMatchObject({ status: "exited", exit_code: 0 });

    // Logs pushed by the node are readable by viewers.
    await a.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/logs`, { entries: [{ replica: mine, stream: "stdout", offset: 0, data: toBase64(utf8("hi\n")) }] });
    const logs = await owner.api.get<{ logs: { stream: string; text: string }[] }>(`/v1/clusters/${name}/workloads/hello/logs`);
    expect(logs.logs).toEqual([expect.objectContaining({ stream: "stdout", text: "hi\n" })]);

    // Deleting wakes a waiting long-poll with a state that no longer lists the replica.
    const waiting = a.api.get<Desired>(`/v1/clusters/${name}/nodes/${a.signer.address}/desired?since=${da.version}&wait=20`);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await owner.api.delete(`/v1/clusters/${name}/workloads/hello`);
    const after = await waiting;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(after.version).toBeGreaterThan(da.version);
    expect(after.replicas).toEqual([]);

    const { entries } = await owner.api.get<{ entries: { event: string }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    const events = entries.map((e) => e.event);
    for (const e of ["WorkloadDeployed", "ReplicaCreated", "ResourceAllocation", "WorkloadDeleted"]) expect(events).toContain(e);
  });

  it("keeps a replica pending with a reason until a node with room joins", async () => {
    const { name, owner } = await newCluster();
    const res = await owner.api.post<{ replicas: { node: string | null; status: string }[] }>(`/v1/clusters/${name}/workloads`, { name: "wait", image: "oci:/x:latest" });
    expect(res.replicas[0].node).toBeNull();
    const node = await joinNode(owner.api, name);
    const got = await owner.api.get<{ replicas: { node: string | null }[] }>(`/v1/clusters/${name}/workloads/wait`);
    expect(got.replicas[0].node).toBe(node.signer.address);
  });

  it("requires the operator role to deploy and validates the spec", async () => {
    const { name, owner } = await newCluster();
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    await expect(viewer.api.post(`/v1/clusters/${name}/workloads`, { name: "x", image: "oci:/x" })).rejects.toMatchObject({ status: 403 });
    await expect(owner.api.post(`/v1/clusters/${name}/workloads`, { name: "x", image: "oci:/x", restart: "sometimes" })).rejects.toMatchObject({
      status: 422,
      problem: { field: "restart" },
    });
    await expect(owner.api.post(`/v1/clusters/${name}/workloads`, { name: "x" })).rejects.toMatchObject({ status: 422, problem: { field: "image" } });
  });
});
