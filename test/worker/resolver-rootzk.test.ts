import { describe, expect, it } from "vitest";
import { anon, didDocument, get, keyedWallet, resolvePath, uniqDid, uniqHost } from "./resolver-helpers.ts";

describe("GET /v1/resolve: rootzk://", () => {
  async function did(services: Record<string, string> = { api: "https://api.example.com/base" }) {
    const w = await keyedWallet();
    const id = uniqDid();
    await w.api.put(`/v1/dids/${id}`, didDocument(id, [w.signer], services));
    return { w, id };
  }

  it("answers the DID's service endpoint with the path resolved under it, cache_ttl 600, the key's address", async () => {
    const { w, id } = await did();
    const r = await get(resolvePath(`rootzk://${id}/api/users/7?full=1`));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      domain: `rootzk://${id}/api/users/7?full=1`,
      protocol: "rootzk",
      endpoint: "https://api.example.com/base/users/7?full=1",
      security_requirements: {
        tlsls_required: true,
        did_authentication: true,
        zk_proof_required: true,
        zk_proof: { scheme: "schnorr-ristretto255-sha512", domain: "enc/rootzk-zk/v1", verification_methods: [`${id}#key-1`] },
      },
      wallet_binding: w.signer.address,
      cache_ttl: 600,
    });
  });

  it.each([
    ["../x", "invalidPath"],
    ["%2e%2e/x", "invalidPath"],
    ["a/%2E%2E/x", "invalidPath"],
    ["a%2f..%2fx", "invalidPath"],
    ["a\\b", "invalidPath"],
    [".", "invalidPath"],
  ])("refuses a path that would escape the endpoint (%s) with 400", async (p, code) => {
    const { id } = await did();
    const r = await get(resolvePath(`rootzk://${id}/api/${p}`));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(code);
  });

  it("answers 404 for an unknown service or DID, 410 for a deactivated DID, 501 for another method", async () => {
    const { w, id } = await did();
    expect((await get(resolvePath(`rootzk://${id}/nope`))).body).toMatchObject({ status: 404, code: "notFound", part: "service" });
    expect((await get(resolvePath(`rootzk://${uniqDid()}/api`))).body).toMatchObject({ status: 404, code: "notFound" });
    expect((await get(resolvePath(`rootzk://did:foo:bar/api`))).body).toMatchObject({ status: 501, code: "methodNotSupported" });
    expect((await get(resolvePath(`rootzk://did:bpi:x/api`))).body).toMatchObject({ status: 400, code: "invalidDid" });
    expect((await get(resolvePath(`rootzk://${id}`))).body).toMatchObject({ status: 400, part: "service" });
    expect((await get(resolvePath(`rootzk://${id}/api`))).status).toBe(200);
    await w.api.delete(`/v1/dids/${id}`);
    expect((await get(resolvePath(`rootzk://${id}/api`))).body).toMatchObject({ status: 410, code: "deactivated" });
  });

  it("follows a DID update at once in this isolate", async () => {
    const { w, id } = await did();
    expect((await get(resolvePath(`rootzk://${id}/api/x`))).body.endpoint).toBe("https://api.example.com/base/x");
    await w.api.put(`/v1/dids/${id}`, didDocument(id, [w.signer], { api: "https://new.example.com/" }));
    expect((await get(resolvePath(`rootzk://${id}/api/x`))).body.endpoint).toBe("https://new.example.com/x");
  });

  it("resolves did:web (fetched) and did:key (computed) names", async () => {
    const web = await get(resolvePath("rootzk://did:web:good.didweb.example/api/x"));
    expect(web.status).toBe(200);
    expect(web.body.endpoint).toBe("https://api.good.didweb.example/v1/x");
    const k = await keyedWallet();
    const { didKeyFromPublicKey } = await import("../../domain/resolver/did-key.ts");
    const key = await get(resolvePath(`rootzk://${didKeyFromPublicKey(k.signer.publicKey)}/api`));
    expect(key.body).toMatchObject({ status: 404, part: "service" });
  });

  it("reports a did:web host that fails as 502, never 500", async () => {
    for (const host of ["big", "stream", "wrongid", "notjson", "redirect", "broken"]) {
      const r = await get(resolvePath(`rootzk://did:web:${host}.didweb.example/api`));
      expect([r.status, host]).toEqual([502, host]);
    }
    expect((await get(resolvePath("rootzk://did:web:127.0.0.1/api"))).status).toBe(400);
  });

  it("is public: no signature needed", async () => {
    await expect(anon.get(resolvePath(`httpcg://${uniqHost()}/`))).rejects.toMatchObject({ status: 404 });
  });
});
