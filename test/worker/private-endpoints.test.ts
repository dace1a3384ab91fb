// Issue 10 finding 5: registry https_endpoint and DID service endpoints may not name loopback,
// private or link-local addresses (or local-only names) unless a cluster the signer administers
// allows private endpoints (cluster config allow_private_endpoints, default false).
import { describe, expect, it } from "vitest";
import { newCluster, wallet } from "./helpers.ts";
import { anon, didDocument, keyedWallet, uniqDid, uniqHost } from "./resolver-helpers.ts";

const PRIVATE = [
  "https://127.0.0.1/",
  "https://10.1.2.3/app",
  "https://192.168.0.10:8443/",
  "https://169.254.169.254/latest/meta-data",
  "https://[::1]/",
  "https://[fe80::1]/",
  "https://[::ffff:127.0.0.1]/",
  "https://localhost/",
  "https://db.internal/",
];

describe("private endpoints", () => {
  it.each(PRIVATE)("refuses https_endpoint %s with 422 naming the field", async (endpoint) => {
    const w = await keyedWallet();
    const host = uniqHost();
    await expect(w.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: endpoint })).rejects.toMatchObject({ status: 422, problem: { field: "https_endpoint" } });
    await expect(anon.get(`/v1/registry/httpcg/${host}`)).rejects.toMatchObject({ status: 404 });
  });

  it.each(PRIVATE)("refuses the DID service endpoint %s with 422 naming the field", async (endpoint) => {
    const w = await keyedWallet();
    const did = uniqDid();
    const doc = didDocument(did, [w.signer], { web: "https://api.example.com/", api: endpoint });
    await expect(w.api.put(`/v1/dids/${did}`, doc)).rejects.toMatchObject({ status: 422, problem: { field: "service[1].serviceEndpoint" } });
  });

  it("allows them when a cluster the signer administers allows private endpoints, and only then", async () => {
    const open = await newCluster({ allow_private_endpoints: true });
    const closed = await newCluster();
    const endpoint = "https://10.0.0.7:8443/app";
    const host = uniqHost();
    await expect(open.owner.api.put(`/v1/registry/httpcg/${host}?cluster=${closed.name}`, { https_endpoint: endpoint })).rejects.toMatchObject({ status: 404 });
    await expect(closed.owner.api.put(`/v1/registry/httpcg/${host}?cluster=${closed.name}`, { https_endpoint: endpoint })).rejects.toMatchObject({ status: 422, problem: { field: "https_endpoint" } });
    const stranger = await wallet();
    await expect(stranger.api.put(`/v1/registry/httpcg/${host}?cluster=${open.name}`, { https_endpoint: endpoint })).rejects.toMatchObject({ status: 404 });
    expect(await open.owner.api.put(`/v1/registry/httpcg/${host}?cluster=${open.name}`, { https_endpoint: endpoint })).toMatchObject({ registration: { record: { https_endpoint: endpoint } } });

    const w = await keyedWallet();
    await open.owner.api.post(`/v1/clusters/${open.name}/roles`, { address: w.signer.address, role: "admin" });
    const did = uniqDid();
    const doc = didDocument(did, [w.signer], { api: "https://[fd00::5]/svc" });
    await expect(w.api.put(`/v1/dids/${did}`, doc)).rejects.toMatchObject({ status: 422, problem: { field: "service[0].serviceEndpoint" } });
    expect(await w.api.put(`/v1/dids/${did}?cluster=${open.name}`, doc)).toMatchObject({ did });
  });

  it("keeps the default safe: a cluster's config says allow_private_endpoints false", async () => {
    const { name, owner } = await newCluster();
    expect(await owner.api.get(`/v1/clusters/${name}`)).toMatchObject({ cluster: { config: { allow_private_endpoints: false } } });
  });
});
