import { describe, expect, it } from "vitest";
import { fromHex } from "../../protocol/bytes.ts";
import { qlockBind } from "../../domain/resolver/qlock.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { get, keyedWallet, post, resolvePath, uniqHost } from "./resolver-helpers.ts";

async function registered(record: Record<string, unknown> = { https_endpoint: "https://origin.example.com/app" }) {
  const owner = await keyedWallet();
  const host = uniqHost();
  await owner.api.put(`/v1/registry/httpcg/${host}`, record);
  return { owner, host };
}

describe("GET /v1/resolve: httpcg://", () => {
  it("answers the registered endpoint with the path appended, TLS, wallet binding, QLOCK and cache_ttl 300", async () => {
    const binder = await keyedWallet();
    const { host } = await registered({ https_endpoint: "https://origin.example.com/app", wallet_binding: binder.signer.address });
    const r = await get(resolvePath(`httpcg://${host}/api/v1?x=1`));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      domain: `httpcg://${host}/api/v1?x=1`,
      protocol: "httpcg",
      endpoint: "https://origin.example.com/app/api/v1?x=1",
      security_requirements: { tlsls_required: true, min_tls_version: "1.3", wallet_authentication: true, qlock_binding: { alg: "blake3-keyed" } },
      wallet_binding: binder.signer.address,
      cache_ttl: 300,
    });
    expect(Date.parse(r.body.resolution_time)).toBeGreaterThan(Date.now() - 60_000);
    // The token is the documented MAC (QLOCK.md) over the record's wallet, the host and the path.
    const expected = qlockBind(fromHex(TEST_KEYS.qlock), { wallet: binder.signer.address, host, path: "/api/v1", now: Date.parse(r.body.resolution_time) });
    expect(r.body.security_requirements.qlock_binding).toEqual(expected);
  });

  it("binds the requesting wallet when given, keeps the port in the host, and honours a shorter ttl_s", async () => {
    const me = await keyedWallet();
    const { host } = await registered({ https_endpoint: "https://origin.example.com", ttl_s: 60 });
    const r = await get(resolvePath(`httpcg://${host}:8443/`, `&wallet=${me.signer.address}`));
    expect(r.body).toMatchObject({ domain: `httpcg://${host}:8443/`, endpoint: "https://origin.example.com/", wallet_binding: null, cache_ttl: 60 });
    const token = r.body.security_requirements.qlock_binding.token;
    const verify = (body: object) => post("/v1/resolve/qlock/verify", body);
    expect((await verify({ token, name: `httpcg://${host}:8443/`, wallet: me.signer.address })).body).toMatchObject({ valid: true, host: `${host}:8443`, path: "/" });
    expect((await verify({ token, name: `httpcg://${host}:8443/`, wallet: null })).body.valid).toBe(false);
    expect((await verify({ token, name: `httpcg://${host}/`, wallet: me.signer.address })).body.valid).toBe(false);
    expect((await verify({ token, name: `httpcg://${host}:8443/other`, wallet: me.signer.address })).body.valid).toBe(false);
    const flipped = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    expect((await verify({ token: flipped, name: `httpcg://${host}:8443/`, wallet: me.signer.address })).body.valid).toBe(false);
  });

  it("refuses bad QLOCK verify bodies with 422 naming the field", async () => {
    expect((await post("/v1/resolve/qlock/verify", { token: "x", name: "rootzk://did:bpi:abc/api" })).body).toMatchObject({ status: 422, field: "name" });
    expect((await post("/v1/resolve/qlock/verify", { token: "x", name: "httpcg://a.example", wallet: "bpi1x" })).body).toMatchObject({ status: 422, field: "wallet" });
    expect((await post("/v1/resolve/qlock/verify", { name: "httpcg://a.example" })).body).toMatchObject({ status: 422, field: "token" });
  });

  it("serves the second look-up from the isolate cache, and a registry change invalidates it at once", async () => {
    const { owner, host } = await registered();
    const name = `httpcg://${host}/x`;
    expect((await get(resolvePath(name))).headers.get("x-enc-cache")).toBe("miss");
    const hit = await get(resolvePath(name));
    expect(hit.headers.get("x-enc-cache")).toBe("hit");
    expect(hit.headers.get("cache-control")).toBe("public, max-age=300");
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://moved.example.com" });
    const after = await get(resolvePath(name));
    expect(after.headers.get("x-enc-cache")).toBe("miss");
    expect(after.body.endpoint).toBe("https://moved.example.com/x");
    await owner.api.delete(`/v1/registry/httpcg/${host}`);
    expect((await get(resolvePath(name))).status).toBe(404);
  });

  it("answers 404 for an unregistered host, remembered briefly but dropped when it is registered here", async () => {
    const host = uniqHost();
    const miss = await get(resolvePath(`httpcg://${host}/`));
    expect(miss.status).toBe(404);
    expect(miss.headers.get("content-type")).toBe("application/problem+json");
    expect(miss.body).toMatchObject({ status: 404, code: "notFound", field: "name", part: "host" });
    const owner = await keyedWallet();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://now.example.com" });
    expect((await get(resolvePath(`httpcg://${host}/`))).status).toBe(200);
  });

  it.each([
    ["", 400, "name"],
    ["example.com", 400, "name"],
    ["httpcg://", 400, "name"],
    ["httpcg://UP per.example.com/", 400, "name"],
    ["httpcg://a.example.com:0/", 400, "name"],
    ["httpcg://a.example.com:65536/", 400, "name"],
    ["httpcg://user@a.example.com/", 400, "name"],
    ["httpcg://10.0.0.1/", 400, "name"],
    ["httpcg://[::1]/", 400, "name"],
    ["httpcg://a.example.com/../etc/passwd", 400, "name"],
    ["httpcg://a.example.com/%2e%2e/x", 400, "name"],
    ["httpcg://a.example.com/a%2fb", 400, "name"],
    ["httpcg://a.example.com/a//b", 400, "name"],
    ["httpcg://a.example.com/#frag", 400, "name"],
    ["https://a.example.com/", 400, "name"],
    ["httpcg://" + "a".repeat(2100), 400, "name"],
  ])("refuses the name %j with %i", async (name, status, field) => {
    const r = await get(resolvePath(name));
    expect(r.status).toBe(status);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body).toMatchObject({ status, field });
  });

  it("validates the query: name is required, wallet must be an address", async () => {
    expect((await get("/v1/resolve")).body).toMatchObject({ status: 400, field: "name" });
    expect((await get(resolvePath("httpcg://a.example.com/", "&wallet=bpi1nope"))).body).toMatchObject({ status: 400, field: "wallet" });
    expect((await get(resolvePath("httpcg://a.example.com/", "&privacy_mode=maybe"))).body).toMatchObject({ status: 400, field: "privacy_mode" });
  });
});

describe("OpenAPI document", () => {
  it("lists every resolver and registry route", async () => {
    const doc = (await get("/v1/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      "GET /v1/resolve",
      "POST /v1/resolve",
      "POST /v1/resolve/rootzk/challenge",
      "POST /v1/resolve/rootzk/verify",
      "POST /v1/resolve/qlock/verify",
      "GET /v1/resolve/cache/stats",
      "POST /v1/resolve/cache/clear",
      "PUT /v1/registry/httpcg/{host}",
      "GET /v1/registry/httpcg/{host}",
      "DELETE /v1/registry/httpcg/{host}",
      "GET /v1/registry/httpcg/{host}/versions",
      "GET /v1/registry/httpcg/{host}/audit",
      "PUT /v1/dids/{did}",
      "GET /v1/dids/{did}",
      "DELETE /v1/dids/{did}",
      "GET /v1/dids/{did}/versions",
      "GET /v1/dids/{did}/audit",
      "GET /1.0/identifiers/{identifier}",
    ])
      expect(routes).toContain(r);
  });
});
