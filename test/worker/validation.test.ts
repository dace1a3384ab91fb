import { describe, expect, it } from "vitest";
import { signRequest } from "../../protocol/http-signature.ts";
import { BASE, joinNode, newCluster, wallet, workerFetch } from "./helpers.ts";

describe("input validation (RFC 9457 problems naming the field)", () => {
  it("names the bad field of a body and creates nothing", async () => {
    const { api } = await wallet();
    await expect(api.post("/v1/clusters", { name: "Bad_Name" })).rejects.toMatchObject({ status: 422, problem: { field: "name" } });
    await expect(api.post("/v1/clusters", { name: "ok-name-1", config: { max_nodes: 0 } })).rejects.toMatchObject({
      status: 422,
      problem: { field: "config.max_nodes" },
    });
    await expect(api.post("/v1/clusters", { name: "ok-name-2", config: { bogus: true } })).rejects.toMatchObject({ status: 422, problem: { field: "config.bogus" } });
    await expect(api.post("/v1/clusters", { name: "ok-name-3", extra: 1 })).rejects.toMatchObject({ status: 422, problem: { field: "extra" } });
    // Nothing was created: the names are still free.
    await expect(api.get("/v1/clusters/ok-name-1")).rejects.toMatchObject({ status: 404 });
  });

  it("answers malformed JSON with 400 naming the body", async () => {
    const { signer } = await wallet();
    const body = "{not json";
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters", body, signer });
    const res = await workerFetch(new Request(BASE + "/v1/clusters", { method: "POST", headers: { ...h, "content-type": "application/json" }, body }));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 400, field: "body" });
  });

  it("names bad path and query parameters with 400", async () => {
    const { api } = await wallet();
    await expect(api.get("/v1/clusters/UPPER")).rejects.toMatchObject({ status: 400, problem: { field: "cluster" } });
    const { name, owner } = await newCluster();
    await expect(owner.api.get(`/v1/clusters/${name}/audit?limit=0`)).rejects.toMatchObject({ status: 400, problem: { field: "limit" } });
    await expect(owner.api.get(`/v1/receipts/not-a-hash`)).rejects.toMatchObject({ status: 400, problem: { field: "hash" } });
  });

  it("reserves the app name `audit` (the audit log's origin) and names the field", async () => {
    const { name, owner } = await newCluster();
    await expect(owner.api.post(`/v1/clusters/${name}/workloads`, { name: "audit", image: "oci:/x:v1" })).rejects.toMatchObject({
      status: 422,
      problem: { field: "name", detail: expect.stringContaining("reserved") },
    });
    await expect(owner.api.get(`/v1/clusters/${name}/workloads/audit`)).rejects.toMatchObject({ status: 400, problem: { field: "name" } });
    const res = await workerFetch(new Request(`${BASE}/v1/clusters/${name}/apps/audit/log/checkpoint`));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: "app" });
    // A name that merely contains it is an ordinary name.
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "audit-trail", image: "oci:/x:v1" });
  });

  it("refuses a change whose audit entry would not fit a C2SP entry bundle (65,535 bytes), and keeps nothing of it", async () => {
    const { name, owner } = await newCluster();
    const seq = async () => (await owner.api.get<{ entries: { seq: number }[] }>(`/v1/clusters/${name}/audit?limit=1000`)).entries.length;
    const before = await seq();
    const env = { A: "a".repeat(30_000), B: "b".repeat(30_000), C: "c".repeat(10_000) };
    await expect(owner.api.post(`/v1/clusters/${name}/workloads`, { name: "big-env", image: "oci:/x:v1", env })).rejects.toMatchObject({
      status: 413,
      problem: { field: "body", detail: expect.stringMatching(/at most 65535/) },
    });
    await expect(owner.api.get(`/v1/clusters/${name}/workloads/big-env`)).rejects.toMatchObject({ status: 404 });
    expect(await seq()).toBe(before);
    // Just under the limit is an ordinary deploy.
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "big-env", image: "oci:/x:v1", env: { A: env.A, B: env.B } });
  });

  it("names the index and field of a bad receipt in a batch", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    await expect(node.api.post(`/v1/clusters/${name}/receipts`, { receipts: [{ v: 1 }] })).rejects.toMatchObject({
      status: 422,
      problem: { field: expect.stringMatching(/^receipts\[0\]\./) },
    });
  });

  it("refuses a reused or unknown join token", async () => {
    const { name, owner } = await newCluster();
    const { token } = await owner.api.post<{ token: string }>(`/v1/clusters/${name}/join-tokens`, { ttl_s: 600 });
    const a = await wallet();
    const b = await wallet();
    const join = { token, node_type: "compute", endpoint: "http://10.0.0.1:9000", capabilities: { cpu_cores: 1, memory_gb: 1 } };
    await a.api.post(`/v1/clusters/${name}/nodes`, join);
    await expect(b.api.post(`/v1/clusters/${name}/nodes`, join)).rejects.toMatchObject({ status: 403, problem: { field: "token" } });
    await expect(b.api.post(`/v1/clusters/${name}/nodes`, { ...join, token: "enc_jt_nope-nope" })).rejects.toMatchObject({ status: 403 });
    await expect(a.api.post(`/v1/clusters/${name}/nodes`, { ...join, capabilities: { cpu_cores: -1, memory_gb: 1 } })).rejects.toMatchObject({
      status: 422,
      problem: { field: "capabilities.cpu_cores" },
    });
    const { nodes } = await owner.api.get<{ nodes: { address: string }[] }>(`/v1/clusters/${name}/nodes`);
    expect(nodes.map((n) => n.address)).toEqual([a.signer.address]);
  });

  it("answers unknown routes with a 404 problem", async () => {
    const res = await workerFetch(new Request(BASE + "/v1/nope"));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("OpenAPI document", () => {
  it("covers every route the Worker serves", async () => {
    const doc = (await (await workerFetch(new Request(BASE + "/v1/openapi.json"))).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      "GET /v1/health",
      "GET /v1/keys",
      "POST /v1/clusters",
      "GET /v1/clusters/{cluster}",
      "POST /v1/clusters/{cluster}/join-tokens",
      "POST /v1/clusters/{cluster}/nodes",
      "GET /v1/clusters/{cluster}/nodes",
      "POST /v1/clusters/{cluster}/receipts",
      "POST /v1/clusters/{cluster}/apps/{app}/seal",
      "GET /v1/clusters/{cluster}/apps/{app}/notary",
      "GET /v1/clusters/{cluster}/apps/{app}/blocks",
      "GET /v1/clusters/{cluster}/apps/{app}/blocks/{height}",
      "GET /v1/receipts/{hash}",
      "GET /v1/clusters/{cluster}/audit",
      "POST /v1/clusters/{cluster}/roles",
      "DELETE /v1/clusters/{cluster}/roles/{address}",
      "POST /v1/clusters/{cluster}/workloads",
      "PUT /v1/clusters/{cluster}/workloads/{name}",
      "GET /v1/clusters/{cluster}/workloads/{name}",
      "DELETE /v1/clusters/{cluster}/workloads/{name}",
      "POST /v1/clusters/{cluster}/workloads/{name}/scale",
      "GET /v1/clusters/{cluster}/workloads/{name}/logs",
      "POST /v1/clusters/{cluster}/nodes/{node}/heartbeat",
      "GET /v1/clusters/{cluster}/nodes/{node}/desired",
      "POST /v1/clusters/{cluster}/execs",
      "GET /v1/clusters/{cluster}/execs/{id}",
      "POST /v1/clusters/{cluster}/nodes/{node}/execs/{id}",
      "POST /v1/clusters/{cluster}/nodes/{node}/drain",
      "GET /v1/clusters/{cluster}/metrics",
      "GET /v1/clusters/{cluster}/health",
      "POST /v1/clusters/{cluster}/replays",
      "GET /v1/clusters/{cluster}/services/{workload}/{path}",
    ]) {
      expect(routes).toContain(r);
    }
  });
});
