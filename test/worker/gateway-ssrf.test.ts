// Finding 3 (gateway SSRF): a node may only point the gateway at its own registered host and an
// agent port, the caller's path cannot change the upstream origin, and redirects are not followed.
import { inject, describe, expect, it } from "vitest";
import { BASE, joinNode, newCluster, workerFetch } from "./helpers.ts";

type R = { id: string; node: string };
const hits = async () => (await (await fetch(`${inject("upstreamOk")}/__hits`)).json()) as { ok: number; bad: number; internal: number };

async function oneReplica() {
  const { name, owner } = await newCluster();
  const node = await joinNode(owner.api, name); // registered at http://127.0.0.1:9000
  const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
  const r = dep.replicas[0]!;
  const beat = (endpoint: string) =>
    node.api.raw("POST", `/v1/clusters/${name}/nodes/${r.node}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      containers: [{ replica: r.id, status: "running", endpoint, healthy: true }],
    });
  return { name, beat };
}

describe("replica endpoints at the heartbeat", () => {
  it.each([
    ["another host", "http://10.0.0.7:30001"],
    ["a name for loopback", "http://localhost:30001"],
    ["the agent's own port", "http://127.0.0.1:9000"],
    ["a privileged port", "http://127.0.0.1:22"],
    ["a path", "http://127.0.0.1:30001/admin"],
    ["credentials", "http://u:p@127.0.0.1:30001"],
    ["another scheme", "file:///etc/passwd"],
    ["not a URL", "127.0.0.1:30001"],
  ])("refuses %s, naming the field, and applies nothing", async (_what, endpoint) => {
    const { name, beat } = await oneReplica();
    const res = await beat(endpoint);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ field: "containers[0].endpoint" });
    // The replica never became a target.
    const gw = await workerFetch(new Request(`${BASE}/v1/clusters/${name}/services/web/`));
    expect(gw.status).toBe(503);
  });

  it("accepts the node's host with an agent port", async () => {
    const { beat } = await oneReplica();
    expect((await beat(inject("upstreamOk"))).status).toBe(200);
  });
});

describe("the gateway's upstream request", () => {
  it("keeps the replica's origin whatever the caller's path says", async () => {
    const { name, beat } = await oneReplica();
    expect((await beat(inject("upstreamOk"))).status).toBe(200);
    const before = await hits();
    for (const path of [`${inject("upstreamInternal")}/secret`, `/${inject("upstreamInternal").replace("http://", "")}/secret`]) {
      const res = await workerFetch(new Request(`${BASE}/v1/clusters/${name}/services/web/${path}`));
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain("internal secret");
    }
    expect((await hits()).internal).toBe(before.internal);
  });

  it("does not follow a replica's redirect to another address", async () => {
    const { name, beat } = await oneReplica();
    expect((await beat(inject("upstreamRedirect"))).status).toBe(200);
    const before = await hits();
    for (const method of ["GET", "POST"]) {
      const res = await workerFetch(new Request(`${BASE}/v1/clusters/${name}/services/web/go`, { method, body: method === "POST" ? "x" : null, redirect: "manual" }));
      expect([302, 307]).toContain(res.status);
      expect(res.headers.get("location")).toBe(`${inject("upstreamInternal")}/secret`);
      expect(await res.text()).not.toContain("internal secret");
    }
    expect((await hits()).internal).toBe(before.internal);
  });
});
