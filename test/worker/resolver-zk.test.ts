import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../protocol/bytes.ts";
import { didKeyFromPublicKey } from "../../domain/resolver/did-key.ts";
import { prove, type ZkProof } from "../../protocol/rootzk/zk-schnorr.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { BASE, workerFetch } from "./helpers.ts";
import { bpiProver, challenge, keyedWallet, post, uniqDid } from "./resolver-helpers.ts";

const verify = (proof: unknown) => post("/v1/resolve/rootzk/verify", { proof });

/** Flips the last hex digit of a field: the same shape, different bytes. */
const flip = (p: ZkProof, k: "commitment" | "response" | "challenge"): ZkProof => ({ ...p, [k]: p[k].slice(0, -1) + (p[k].endsWith("0") ? "1" : "0") });

describe("rootzk zero-knowledge proofs through the routes", () => {
  it("issues single-use challenges", async () => {
    const r = await post("/v1/resolve/rootzk/challenge", {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ challenge: expect.stringMatching(/^[0-9a-f]{64}$/), window_s: 300, domain: "enc/rootzk-zk/v1" });
    expect(Date.parse(r.body.expires_at) - Date.now()).toBeGreaterThan(100_000);
    expect((await post("/v1/resolve/rootzk/challenge", { ttl_s: 0 })).body).toMatchObject({ status: 422, field: "ttl_s" });
    // No body at all (curl -X POST): the defaults apply.
    const bare = await workerFetch(new Request(`${BASE}/v1/resolve/rootzk/challenge`, { method: "POST" }));
    expect(bare.status).toBe(201);
    const notJson = await workerFetch(new Request(`${BASE}/v1/resolve/rootzk/challenge`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" }));
    expect(notJson.status).toBe(400);
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
