import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { prove } from "../../protocol/rootzk/zk-schnorr.ts";
import { bpiProver, challenge, get, keyedWallet, post, resolvePath, uniqHost } from "./resolver-helpers.ts";


describe("privacy-mode resolution", () => {
  async function target() {
    const owner = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://private.example.com", wallet_binding: owner.signer.address });
    return { host, owner };
  }

  it("answers POST /v1/resolve { name, proof } with a valid proof, uncached and not stored", async () => {
    const { host, owner } = await target();
    const { w, did, kid } = await bpiProver();
    const ch = await challenge();
    const logs = ["log", "info", "warn", "error", "debug"].map((m) => vi.spyOn(console, m as "log"));
    const before = (await get("/v1/resolve/cache/stats")).body.size;
    const r = await post("/v1/resolve", { name: `httpcg://${host}/a`, proof: prove(w.seed, { did, kid, challenge: ch, now: Date.now() }) });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body).toMatchObject({ endpoint: "https://private.example.com/a", wallet_binding: owner.signer.address });
    expect((await get("/v1/resolve/cache/stats")).body.size).toBe(before);
    // Nothing that names the requester: no log line, no ledger row, and the challenge row has no DID.
    for (const spy of logs) {
      expect(spy.mock.calls.flat().join(" ")).not.toContain(did);
      spy.mockRestore();
    }
    const rows = await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM audit_entries WHERE body LIKE ? AND event NOT LIKE 'Did%'").bind(`%${did}%`).first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const stub = env.ZK_CHALLENGES.get(env.ZK_CHALLENGES.idFromName(`zk:${parseInt(ch[0], 16)}`));
    const row = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT * FROM challenges WHERE challenge = ?", ch).toArray()[0]);
    expect(row).toEqual({ challenge: ch, did: null, expires_ms: expect.any(Number), used: 1 });
  });

  it("refuses privacy mode without a valid proof", async () => {
    const { host } = await target();
    const { w, did, kid } = await bpiProver();
    const other = await keyedWallet();
    const bad = prove(other.seed, { did, kid, challenge: await challenge(), now: Date.now() });
    expect((await post("/v1/resolve", { name: `httpcg://${host}/`, proof: bad })).status).toBe(401);
    expect((await post("/v1/resolve", { name: `httpcg://${host}/` })).body).toMatchObject({ status: 422, field: "proof" });
    const good = prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() });
    expect((await post("/v1/resolve", { name: `httpcg://${host}/`, proof: good })).status).toBe(200);
    expect((await post("/v1/resolve", { name: `httpcg://${host}/`, proof: good })).status).toBe(401);
  });

  it("accepts GET ?privacy_mode=true with the proof in the rootzk-proof header", async () => {
    const { host } = await target();
    const { w, did, kid } = await bpiProver();
    const proof = prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() });
    const header = btoa(JSON.stringify(proof)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const path = resolvePath(`httpcg://${host}/`, "&privacy_mode=true");
    const r = await get(path, { "rootzk-proof": header });
    expect([r.status, r.headers.get("cache-control")]).toEqual([200, "no-store"]);
    expect((await get(path)).body).toMatchObject({ status: 401, field: "rootzk-proof" });
    expect((await get(path, { "rootzk-proof": "%%%" })).body).toMatchObject({ status: 400, field: "rootzk-proof" });
    expect((await get(`${path}&wallet=${w.signer.address}`, { "rootzk-proof": header })).body).toMatchObject({ status: 400, field: "wallet" });
  });

  it("resolves rootzk names in privacy mode too, with the same errors", async () => {
    const { w, did, kid } = await bpiProver();
    const name = `rootzk://${did}/api/x`;
    const r = await post("/v1/resolve", { name, proof: prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() }) });
    expect(r.body).toMatchObject({ protocol: "rootzk", endpoint: "https://api.example.com/v1/x" });
    const missing = await post("/v1/resolve", { name: `rootzk://${did}/nope`, proof: prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() }) });
    expect(missing.body).toMatchObject({ status: 404, part: "service" });
  });
});
