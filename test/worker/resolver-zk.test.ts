import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { fromHex, toHex } from "../../protocol/bytes.ts";
import { didKeyFromPublicKey } from "../../workers/resolver/did-key.ts";
import { prove, type ZkProof } from "../../workers/resolver/zk-schnorr.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { didDocument, get, keyedWallet, post, resolvePath, uniqDid, uniqHost, type KeyedWallet } from "./resolver-helpers.ts";

const challenge = async (body: object = {}) => (await post("/v1/resolve/rootzk/challenge", body)).body.challenge as string;
const verify = (proof: unknown) => post("/v1/resolve/rootzk/verify", { proof });

async function bpiProver(): Promise<{ w: KeyedWallet; did: string; kid: string }> {
  const w = await keyedWallet();
  const did = uniqDid();
  await w.api.put(`/v1/dids/${did}`, didDocument(did, [w.signer]));
  return { w, did, kid: `${did}#key-1` };
}

/** Flips the last hex digit of a field: the same shape, different bytes. */
const flip = (p: ZkProof, k: "commitment" | "response" | "challenge"): ZkProof => ({ ...p, [k]: p[k].slice(0, -1) + (p[k].endsWith("0") ? "1" : "0") });

describe("rootzk zero-knowledge proofs through the routes", () => {
  it("issues single-use challenges", async () => {
    const r = await post("/v1/resolve/rootzk/challenge", {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ challenge: expect.stringMatching(/^[0-9a-f]{64}$/), window_s: 300, domain: "enc/rootzk-zk/v1" });
    expect(Date.parse(r.body.expires_at) - Date.now()).toBeGreaterThan(100_000);
    expect((await post("/v1/resolve/rootzk/challenge", { ttl_s: 0 })).body).toMatchObject({ status: 422, field: "ttl_s" });
    expect((await post("/v1/resolve/rootzk/challenge", { did: "nope" })).body).toMatchObject({ status: 422, field: "did" });
  });

  it("verifies proofs for did:bpi, did:key and did:web keys", async () => {
    const { w, did, kid } = await bpiProver();
    expect((await verify(prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() }))).body).toEqual({ verified: true, did, kid });
    const key = didKeyFromPublicKey(w.signer.publicKey);
    const keyKid = `${key}#${key.slice(8)}`;
    expect((await verify(prove(w.seed, { did: key, kid: keyKid, challenge: await challenge(), now: Date.now() }))).status).toBe(200);
    const web = "did:web:good.didweb.example";
    const webProof = prove(fromHex(TEST_KEYS.didWeb), { did: web, kid: "#key-1", challenge: await challenge(), now: Date.now() });
    expect((await verify(webProof)).body).toEqual({ verified: true, did: web, kid: `${web}#key-1` });
  });

  it("fails for a wrong key, a kid that is not the DID's, and a deactivated DID", async () => {
    const { did, kid } = await bpiProver();
    const other = await keyedWallet();
    const wrongKey = await verify(prove(other.seed, { did, kid, challenge: await challenge(), now: Date.now() }));
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.detail).toMatch(/does not verify/);
    expect((await verify(prove(other.seed, { did, kid: `${did}#key-9`, challenge: await challenge(), now: Date.now() }))).body.detail).toMatch(/not an Ed25519 authentication key/);
    const gone = await bpiProver();
    await gone.w.api.delete(`/v1/dids/${gone.did}`);
    expect((await verify(prove(gone.w.seed, { did: gone.did, kid: gone.kid, challenge: await challenge(), now: Date.now() }))).body).toMatchObject({ status: 401, field: "proof.did" });
    expect((await verify(prove(other.seed, { did: uniqDid(), kid: "#k", challenge: await challenge(), now: Date.now() }))).status).toBe(401);
  });

  it("fails for a wrong challenge: one never issued, one bound to another DID, one swapped after proving", async () => {
    const { w, did, kid } = await bpiProver();
    const unknown = await verify(prove(w.seed, { did, kid, challenge: toHex(crypto.getRandomValues(new Uint8Array(32))), now: Date.now() }));
    expect(unknown.body).toMatchObject({ status: 401, code: "zk-challenge-unknown", field: "proof.challenge" });
    expect(unknown.body.detail).toMatch(/challenge unknown/);
    const bound = await challenge({ did: "did:bpi:someone-else" });
    expect((await verify(prove(w.seed, { did, kid, challenge: bound, now: Date.now() }))).body.detail).toMatch(/challenge didMismatch/);
    const p = prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() });
    expect((await verify({ ...p, challenge: await challenge() })).body.detail).toMatch(/does not verify/);
  });

  it("fails for a replayed challenge, and a bad proof does not use the challenge up", async () => {
    const { w, did, kid } = await bpiProver();
    const ch = await challenge();
    const good = prove(w.seed, { did, kid, challenge: ch, now: Date.now() });
    expect((await verify(flip(good, "response"))).status).toBe(401);
    expect((await verify(good)).status).toBe(200);
    const again = await verify(good);
    expect(again.status).toBe(401);
    expect(again.body.detail).toMatch(/challenge replayed/);
    expect((await verify(prove(w.seed, { did, kid, challenge: ch, now: Date.now() }))).body.detail).toMatch(/challenge replayed/);
  });

  it("fails for an expired or future window, and for an expired challenge", async () => {
    const { w, did, kid } = await bpiProver();
    const old = await verify(prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() - 20 * 60_000 }));
    expect(old.body.detail).toMatch(/expired/);
    const future = await verify(prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() + 20 * 60_000 }));
    expect(future.body.detail).toMatch(/future/);
    const short = await challenge({ ttl_s: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await verify(prove(w.seed, { did, kid, challenge: short, now: Date.now() }))).body.detail).toMatch(/challenge expired/);
  });

  it("fails for altered bytes in any field", async () => {
    const { w, did, kid } = await bpiProver();
    const p = prove(w.seed, { did, kid, challenge: await challenge(), now: Date.now() });
    for (const bad of [flip(p, "commitment"), flip(p, "response"), { ...p, window: p.window - 1 }, { ...p, kid: "#key-1" }]) {
      expect((await verify(bad)).status).toBe(401);
    }
    // A response >= L (non-canonical) and a commitment that is not a ristretto255 encoding.
    expect((await verify({ ...p, response: "ff".repeat(32) })).body.detail).toMatch(/canonical scalar/);
    expect((await verify({ ...p, commitment: "ff".repeat(32) })).body.detail).toMatch(/ristretto255/);
    expect((await verify(p)).status).toBe(200);
  });

  it.each([
    [{ v: 2 }, "proof.v"],
    [{ commitment: "XY" }, "proof.commitment"],
    [{ window: -1 }, "proof.window"],
    [{ did: "not-a-did" }, "proof.did"],
    [{ extra: 1 }, "proof.extra"],
  ])("refuses a malformed proof %j with 422 naming %s", async (change, field) => {
    const p = { v: 1, did: "did:bpi:abc", kid: "#k", challenge: "00".repeat(32), window: 1, commitment: "00".repeat(32), response: "00".repeat(32), ...change };
    expect((await verify(p)).body).toMatchObject({ status: 422, field });
  });
});

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
