import { describe, expect, it } from "vitest";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { signRequest } from "../../protocol/http-signature.ts";
import { BASE, joinNode, newCluster, wallet, workerFetch } from "./helpers.ts";

async function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await workerFetch(new Request(BASE + path, { method, headers: { "content-type": "application/json", ...headers }, body }));
  return { status: res.status, type: res.headers.get("content-type"), problem: (await res.json()) as { detail: string; status: number } };
}

describe("request authentication (RFC 9421)", () => {
  const body = JSON.stringify({ name: "auth-probe" });

  it("rejects a missing signature with 401 problem+json", async () => {
    const r = await send("POST", "/v1/clusters", {}, body);
    expect(r.status).toBe(401);
    expect(r.type).toBe("application/problem+json");
    expect(r.problem.detail).toMatch(/signed/);
  });

  it("rejects a forged signature (keyid of one key, signature of another)", async () => {
    const victim = await signerFromSeed(generateSeed());
    const forger = await signerFromSeed(generateSeed());
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters", body, signer: forger });
    h["signature-input"] = h["signature-input"].replace(forger.address, victim.address);
    const r = await send("POST", "/v1/clusters", h, body);
    expect(r.status).toBe(401);
  });

  it("rejects a stale signature (created > 300 s ago)", async () => {
    const { signer } = await wallet();
    const created = Math.floor(Date.now() / 1000) - 400;
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters", body, signer, created, expires: created + 3600 });
    const r = await send("POST", "/v1/clusters", h, body);
    expect(r.status).toBe(401);
    expect(r.problem.detail).toMatch(/created|window|clock/i);
  });

  it("rejects an expired signature", async () => {
    const { signer } = await wallet();
    const created = Math.floor(Date.now() / 1000) - 20;
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters", body, signer, created, expires: created + 10 });
    const r = await send("POST", "/v1/clusters", h, body);
    expect(r.status).toBe(401);
    expect(r.problem.detail).toMatch(/expire/i);
  });

  it("rejects a replayed request (same nonce) after accepting it once", async () => {
    const { signer } = await wallet();
    const name = `replay-${crypto.randomUUID().slice(0, 8)}`;
    const b = JSON.stringify({ name });
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters", body: b, signer });
    expect((await send("POST", "/v1/clusters", h, b)).status).toBe(201);
    const again = await send("POST", "/v1/clusters", h, b);
    expect(again.status).toBe(401);
    expect(again.problem.detail).toMatch(/replay/);
  });

  it("rejects a body that does not match its Content-Digest", async () => {
    const { signer } = await wallet();
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters", body, signer });
    const r = await send("POST", "/v1/clusters", h, JSON.stringify({ name: "other-name" }));
    expect(r.status).toBe(401);
    expect(r.problem.detail).toMatch(/digest/i);
  });

  it("rejects a signature made for another URL", async () => {
    const { signer } = await wallet();
    const h = await signRequest({ method: "POST", url: BASE + "/v1/clusters/x/join-tokens", body, signer });
    expect((await send("POST", "/v1/clusters", h, body)).status).toBe(401);
  });

  it("answers 403 when a member lacks the role (404 to a stranger), and changes nothing", async () => {
    const { name, owner } = await newCluster();
    const stranger = await wallet();
    // Issue 10: a stranger is not told the cluster exists.
    await expect(stranger.api.get(`/v1/clusters/${name}`)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.api.post(`/v1/clusters/${name}/join-tokens`, {})).rejects.toMatchObject({ status: 404 });
    // A viewer may read but not issue tokens.
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: stranger.signer.address, role: "viewer" });
    expect(await stranger.api.get(`/v1/clusters/${name}`)).toMatchObject({ cluster: { name } });
    await expect(stranger.api.post(`/v1/clusters/${name}/join-tokens`, {})).rejects.toMatchObject({ status: 403 });
    // A node may submit receipts but not read the cluster's management views.
    const node = await joinNode(owner.api, name);
    await expect(node.api.get(`/v1/clusters/${name}/audit`)).rejects.toMatchObject({ status: 403 });
  });

  it("lets admins grant operator/viewer but only the owner grant admin; revocation removes access", async () => {
    const { name, owner } = await newCluster();
    const admin = await wallet();
    const other = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: admin.signer.address, role: "admin" });
    await expect(admin.api.post(`/v1/clusters/${name}/roles`, { address: other.signer.address, role: "admin" })).rejects.toMatchObject({ status: 403 });
    await admin.api.post(`/v1/clusters/${name}/roles`, { address: other.signer.address, role: "operator" });
    expect(await other.api.get(`/v1/clusters/${name}`)).toMatchObject({ cluster: { name } });
    await admin.api.delete(`/v1/clusters/${name}/roles/${other.signer.address}`);
    await expect(other.api.get(`/v1/clusters/${name}`)).rejects.toMatchObject({ status: 404 }); // a stranger again
    await expect(admin.api.delete(`/v1/clusters/${name}/roles/${owner.signer.address}`)).rejects.toMatchObject({ status: 403 });
  });

  it("serves /v1/health and /v1/keys without a signature", async () => {
    expect(await (await workerFetch(new Request(BASE + "/v1/health"))).json()).toEqual({ status: "ok", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const keys = (await (await workerFetch(new Request(BASE + "/v1/keys"))).json()) as Record<string, string>;
    expect(keys.control_plane).toMatch(/^bpi1/);
    expect(keys.notary).toMatch(/^bpi1/);
    expect(keys.notary).not.toBe(keys.control_plane);
  });
});
