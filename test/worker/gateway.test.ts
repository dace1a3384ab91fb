import { inject, describe, expect, it } from "vitest";
import { BASE, joinNode, newCluster, wallet, workerFetch } from "./helpers.ts";

type R = { id: string; node: string };

async function serve(endpoints: string[], extra: Record<string, unknown> = {}) {
  const { name, owner } = await newCluster();
  const nodes = await Promise.all(endpoints.map(() => joinNode(owner.api, name)));
  const byAddr = new Map(nodes.map((n) => [n.signer.address, n]));
  const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, {
    name: "web",
    image: "oci:/x:latest",
    replicas: endpoints.length,
    load_balancing_algorithm: "round_robin",
    ...extra,
  });
  const sorted = [...dep.replicas].sort((a, b) => a.id.localeCompare(b.id));
  for (const [i, r] of sorted.entries()) {
    await byAddr.get(r.node)!.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      containers: [{ replica: r.id, status: "running", endpoint: endpoints[i], healthy: true }],
    });
  }
  return { name, owner, replicas: sorted };
}

const hits = async () => (await (await fetch(`${inject("upstreamOk")}/__hits`)).json()) as { ok: number; bad: number };

describe("HTTP cage gateway", () => {
  it("forwards to healthy replicas and trips the breaker of a failing one", async () => {
    const { name, replicas } = await serve([inject("upstreamOk"), inject("upstreamBad")]);
    const before = await hits();
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await workerFetch(new Request(`${BASE}/v1/clusters/${name}/services/web/hello?x=${i}`));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ path: `/hello?x=${i}`, method: "GET" });
      seen.push(res.headers.get("x-enc-replica")!);
    }
    expect(new Set(seen)).toEqual(new Set([replicas[0].id]));
    const after = await hits();
    // The failing replica was tried until its breaker opened (5 consecutive failures), then skipped.
    expect(after.bad - before.bad).toBe(5);
    expect(after.ok - before.ok).toBe(20);
  });

  it("answers 503 with a problem when no replica is ready", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
    const res = await workerFetch(new Request(`${BASE}/v1/clusters/${name}/services/web/`));
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("requires a wallet signature when the workload asks, and forwards the verified address", async () => {
    const { name } = await serve([inject("upstreamOk")], { wallet_authentication: true });
    const url = `${BASE}/v1/clusters/${name}/services/web/me`;
    const unsigned = await workerFetch(new Request(url, { headers: { "x-enc-wallet": "bpi1spoofed" } }));
    expect(unsigned.status).toBe(401);
    const caller = await wallet();
    const res = await caller.api.raw("GET", `/v1/clusters/${name}/services/web/me`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ wallet: caller.signer.address });
  });
});
