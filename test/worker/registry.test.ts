import { describe, expect, it } from "vitest";
import { verifyAuditEntry } from "../../protocol/signed.ts";
import { syncSigner } from "../../durable-objects/shared/sync-signer.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { newCluster } from "./helpers.ts";
import { anon, get, keyedWallet, resolvePath, uniqHost } from "./resolver-helpers.ts";

const CP = syncSigner(TEST_KEYS.controlPlane, "cp").address;

describe("httpcg shadow registry", () => {
  it("registers a host (201), shows it, and the first signer owns it", async () => {
    const owner = await keyedWallet();
    const host = uniqHost();
    const res = await owner.api.raw("PUT", `/v1/registry/httpcg/${host}`, { https_endpoint: "https://origin.example.com/app" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body.registration).toMatchObject({ host, version: 1, owner: owner.signer.address, record: { https_endpoint: "https://origin.example.com/app", wallet_binding: null, ttl_s: 300 } });
    expect(await anon.get(`/v1/registry/httpcg/${host}`)).toMatchObject({ registration: { host, version: 1, owner: owner.signer.address } });
  });

  it("lets only the owner update; updates answer 200 with a new version; re-sending is a no-op", async () => {
    const owner = await keyedWallet();
    const other = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://a.example.com" });
    await expect(other.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://evil.example.com" })).rejects.toMatchObject({ status: 403, problem: { field: "host" } });
    await expect(other.api.delete(`/v1/registry/httpcg/${host}`)).rejects.toMatchObject({ status: 403 });
    const upd = await owner.api.raw("PUT", `/v1/registry/httpcg/${host}`, { https_endpoint: "https://b.example.com", wallet_binding: other.signer.address, ttl_s: 60 });
    expect(upd.status).toBe(200);
    expect(await upd.json()).toMatchObject({ changed: true, registration: { version: 2, record: { https_endpoint: "https://b.example.com", ttl_s: 60 } } });
    const same = await owner.api.raw("PUT", `/v1/registry/httpcg/${host}`, { https_endpoint: "https://b.example.com", wallet_binding: other.signer.address, ttl_s: 60 });
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ changed: false, registration: { version: 2 } });
  });

  it("keeps every version, and removal releases the claim", async () => {
    const owner = await keyedWallet();
    const next = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://a.example.com" });
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://b.example.com" });
    expect(await owner.api.delete(`/v1/registry/httpcg/${host}`)).toEqual({ removed: { host, version: 3 } });
    await expect(anon.get(`/v1/registry/httpcg/${host}`)).rejects.toMatchObject({ status: 404 });
    await expect(owner.api.delete(`/v1/registry/httpcg/${host}`)).rejects.toMatchObject({ status: 404 });
    await next.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://c.example.com" });
    const { versions } = await anon.get<{ versions: any[] }>(`/v1/registry/httpcg/${host}/versions`);
    expect(versions.map((v) => [v.version, v.deleted, v.owner === next.signer.address])).toEqual([
      [1, false, false],
      [2, false, false],
      [3, true, false],
      [4, false, true],
    ]);
    expect(versions[2].record).toBeNull();
  });

  it("audits every change in the host's own chain, signed by the control plane", async () => {
    const owner = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://a.example.com" });
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://b.example.com" });
    await owner.api.delete(`/v1/registry/httpcg/${host}`);
    const { entries } = await anon.get<{ entries: any[] }>(`/v1/registry/httpcg/${host}/audit`);
    expect(entries.map((e) => [e.seq, e.event, e.cluster, e.actor])).toEqual([
      [1, "DomainRegistered", `registry:httpcg:${host}`, owner.signer.address],
      [2, "DomainUpdated", `registry:httpcg:${host}`, owner.signer.address],
      [3, "DomainRemoved", `registry:httpcg:${host}`, owner.signer.address],
    ]);
    expect(entries[1].prev_hash).toBe(entries[0].hash);
    for (const e of entries) expect(await verifyAuditEntry(e, CP)).toMatchObject({ ok: true });
    const { versions } = await anon.get<{ versions: any[] }>(`/v1/registry/httpcg/${host}/versions`);
    expect(versions.map((v) => v.audit_hash)).toEqual(entries.map((e) => e.hash));
  });

  it("points a host at a cluster workload's gateway (operators of that cluster only)", async () => {
    const { name, owner } = await newCluster();
    const stranger = await keyedWallet();
    const host = uniqHost();
    const gateway = { cluster: name, workload: "web" };
    await expect(stranger.api.put(`/v1/registry/httpcg/${host}`, { gateway })).rejects.toMatchObject({ status: 404 }); // issue 10: not leaked
    await owner.api.put(`/v1/registry/httpcg/${host}`, { gateway });
    const r = await get(resolvePath(`httpcg://${host}/index.html`));
    expect(r.status).toBe(200);
    expect(r.body.endpoint).toBe(`https://enc.test/v1/clusters/${name}/services/web/index.html`);
  });

  it.each([
    [{}, "https_endpoint"],
    [{ https_endpoint: "https://a.example.com", gateway: { cluster: "c1", workload: "w" } }, "https_endpoint"],
    [{ https_endpoint: "http://a.example.com" }, "https_endpoint"],
    [{ https_endpoint: "https://user:pw@a.example.com" }, "https_endpoint"],
    [{ https_endpoint: "https://a.example.com/?q=1" }, "https_endpoint"],
    [{ https_endpoint: "not a url" }, "https_endpoint"],
    [{ https_endpoint: "https://a.example.com", wallet_binding: "bpi1nope" }, "wallet_binding"],
    [{ https_endpoint: "https://a.example.com", ttl_s: 0 }, "ttl_s"],
    [{ https_endpoint: "https://a.example.com", ttl_s: 1.5 }, "ttl_s"],
    [{ https_endpoint: "https://a.example.com", extra: 1 }, "extra"],
    [{ gateway: { cluster: "C!", workload: "w" } }, "gateway.cluster"],
    [{ https_endpoint: "https://a.example.com/\ud83d" }, "https_endpoint"],
  ])("refuses the record %j with 422 naming %s, and stores nothing", async (record, field) => {
    const owner = await keyedWallet();
    const host = uniqHost();
    await expect(owner.api.put(`/v1/registry/httpcg/${host}`, record)).rejects.toMatchObject({ status: 422, problem: { field } });
    await expect(anon.get(`/v1/registry/httpcg/${host}`)).rejects.toMatchObject({ status: 404 });
  });

  it.each(["UPPER.example.com", "a..b", "-a.example.com", "a.example.com:8443", "127.0.0.1", "x".repeat(64) + ".com", "a_b.example.com"])(
    "refuses the host %s with 400 naming host",
    async (host) => {
      const owner = await keyedWallet();
      await expect(owner.api.put(`/v1/registry/httpcg/${encodeURIComponent(host)}`, { https_endpoint: "https://a.example.com" })).rejects.toMatchObject({
        status: 400,
        problem: { field: "host" },
      });
    },
  );

  it("needs a signature to write; reads are public", async () => {
    const host = uniqHost();
    await expect(anon.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://a.example.com" })).rejects.toMatchObject({ status: 401 });
    await expect(anon.delete(`/v1/registry/httpcg/${host}`)).rejects.toMatchObject({ status: 401 });
  });
});
