import { ED25519_TORSION_SUBGROUP, ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex, utf8 } from "../../../protocol/bytes.ts";
import { parseDidDocument } from "../../../domain/resolver/did-document.ts";
import { ChallengeStore, verifyAndConsume, verifyForDocument, type ChallengeRecord } from "../../../domain/resolver/zk-auth.ts";
import { challengeScalar, prove, statementPoint, verify, zkWindow, type ZkProof } from "../../../protocol/rootzk/zk-schnorr.ts";
import { bpiDoc, pub1, pub2, seed1, seed2 } from "./fixtures.ts";

const L = ed25519.Point.Fn.ORDER;
const T = Date.parse("2026-01-15T10:02:30.000Z");
const CH = "ab".repeat(32);
const did = "did:bpi:alice";
const kid = "did:bpi:alice#key-1";
const opts = { expectedChallenge: CH, now: T };

function mkProof(over: Partial<Parameters<typeof prove>[1]> = {}): ZkProof {
  return prove(seed1, { did, kid, challenge: CH, now: T, ...over });
}

describe("Schnorr proof of knowledge over ristretto255", () => {
  it("verifies an honest proof", () => {
    const p = mkProof();
    expect(p).toMatchObject({ v: 1, did, kid, challenge: CH, window: zkWindow(T) });
    expect(p.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(p.response).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(p, pub1, opts)).toEqual({ ok: true });
    expect(verify(JSON.parse(JSON.stringify(p)), pub1, { ...opts, now: new Date(T) })).toEqual({ ok: true });
  });
  it("uses a fresh commitment every time", () => {
    expect(mkProof().commitment).not.toBe(mkProof().commitment);
  });
  it("relates the statement to the Ed25519 key: A = a·G for the RFC 8032 scalar a", () => {
    const h = sha512(seed1).slice(0, 32);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
    const a = bytesToNumberLE(h) % L;
    expect(statementPoint(pub1)!.equals(ristretto255.Point.BASE.multiply(a))).toBe(true);
    // The Ed25519 base point is the ristretto255 generator.
    expect(new ristretto255.Point(ed25519.Point.BASE).equals(ristretto255.Point.BASE)).toBe(true);
    expect(toHex(ristretto255.Point.BASE.toBytes())).toBe("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76");
  });
  it("checks the documented transcript and equation independently", () => {
    const p = mkProof();
    const lp = (b: Uint8Array) => concatBytes(Uint8Array.of(0, 0, 0, b.length), b);
    const w = new Uint8Array(8);
    new DataView(w.buffer).setBigUint64(0, BigInt(p.window));
    const A = statementPoint(pub1)!;
    const t = concatBytes(lp(utf8("enc/rootzk-zk/v1")), ristretto255.Point.BASE.toBytes(), fromHex(p.commitment), A.toBytes(), lp(utf8(did)), lp(utf8(kid)), fromHex(CH), w);
    const c = bytesToNumberLE(sha512(t)) % L;
    expect(c).toBe(challengeScalar(fromHex(p.commitment), A.toBytes(), did, kid, fromHex(CH), p.window));
    const r = bytesToNumberLE(fromHex(p.response));
    const V = ristretto255.Point.fromHex(p.commitment);
    expect(ristretto255.Point.BASE.multiply(r).add(A.multiply(c)).equals(V)).toBe(true);
  });
  it("fails for the wrong key", () => {
    expect(verify(mkProof(), pub2, opts)).toEqual({ ok: false, reason: "proof does not verify" });
    expect(verify(prove(seed2, { did, kid, challenge: CH, now: T }), pub1, opts).ok).toBe(false);
  });
  it("fails for another challenge", () => {
    expect(verify(mkProof(), pub1, { ...opts, expectedChallenge: "cd".repeat(32) })).toMatchObject({ ok: false, reason: /challenge/ });
    // A proof re-labelled with the expected challenge does not verify either.
    const p = { ...mkProof(), challenge: "cd".repeat(32) };
    expect(verify(p, pub1, { ...opts, expectedChallenge: "cd".repeat(32) })).toEqual({ ok: false, reason: "proof does not verify" });
  });
  it("fails for an expired or future window, accepts one window of skew", () => {
    expect(verify(mkProof(), pub1, { ...opts, now: T + 300_000 }).ok).toBe(true);
    expect(verify(mkProof(), pub1, { ...opts, now: T + 600_000 })).toMatchObject({ ok: false, reason: /expired/ });
    expect(verify(mkProof(), pub1, { ...opts, now: T - 600_000 })).toMatchObject({ ok: false, reason: /future/ });
    expect(verify(mkProof(), pub1, { ...opts, now: T + 300_000, skewWindows: 0 }).ok).toBe(false);
    // Moving the window field itself breaks the proof.
    const p = mkProof();
    expect(verify({ ...p, window: p.window - 1 }, pub1, opts)).toEqual({ ok: false, reason: "proof does not verify" });
  });
  it("fails when any field is altered", () => {
    const p = mkProof();
    const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
    const altered: Array<[string, Record<string, unknown>]> = [
      ["did", { did: "did:bpi:mallory" }],
      ["kid", { kid: "did:bpi:alice#key-2" }],
      ["commitment", { commitment: toHex(ristretto255.Point.BASE.multiply(7n).toBytes()) }],
      ["commitment bits", { commitment: flip(p.commitment) }],
      ["response", { response: flip(p.response) }],
      ["response + L", { response: toHex(numberToBytesLE((bytesToNumberLE(fromHex(p.response)) + L) % 2n ** 256n, 32)) }],
      ["version", { v: 2 }],
      ["extra field", { extra: 1 }],
      ["uppercase hex", { response: p.response.toUpperCase() }],
      ["negative window", { window: -1 }],
      ["fractional window", { window: 1.5 }],
    ];
    for (const [label, change] of altered) {
      const r = verify({ ...p, ...change }, pub1, opts);
      expect(r.ok, label).toBe(false);
    }
    const { challenge: _c, ...missing } = p;
    expect(verify(missing, pub1, opts).ok).toBe(false);
    for (const junk of [null, [], "proof", 1]) expect(verify(junk, pub1, opts).ok).toBe(false);
  });
  it("refuses non-canonical, small-order and mixed-order public keys", () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect(verify(mkProof(), identity, opts)).toMatchObject({ ok: false, reason: /prime order/ });
    // A + T for a point T of order 8 (from the torsion subgroup): same proof, key not torsion-free.
    const T8 = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]);
    expect(T8.is0()).toBe(false);
    const mixed = ed25519.Point.fromBytes(pub1).add(T8).toBytes();
    expect(verify(mkProof(), mixed, opts)).toMatchObject({ ok: false, reason: /prime order/ });
    expect(verify(mkProof(), new Uint8Array(31), opts).ok).toBe(false);
    expect(verify(mkProof(), new Uint8Array(32).fill(0xff), opts).ok).toBe(false);
  });
  it("refuses the identity commitment", () => {
    const p = { ...mkProof(), commitment: "00".repeat(32) };
    expect(verify(p, pub1, opts)).toMatchObject({ ok: false, reason: /identity/ });
  });
  it("refuses bad prover inputs", () => {
    expect(() => prove(new Uint8Array(31), { did, kid, challenge: CH, now: T })).toThrow();
    expect(() => prove(seed1, { did: "alice", kid, challenge: CH, now: T })).toThrow();
    expect(() => prove(seed1, { did, kid, challenge: "xyz", now: T })).toThrow();
  });
});

describe("challenges and document binding", () => {
  const doc = parseDidDocument(bpiDoc());
  const store = () => new Map<string, ChallengeRecord>();

  it("issues random single-use challenges with an expiry", async () => {
    const cs = new ChallengeStore(store(), { ttlS: 60 });
    const a = await cs.issue({ did, now: T });
    const b = await cs.issue({ did, now: T });
    expect(a.challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(a.challenge).not.toBe(b.challenge);
    expect(a.expires_at).toBe("2026-01-15T10:03:30.000Z");
    expect(await cs.consume(a.challenge, { did, now: T + 1000 })).toEqual({ ok: true });
    expect(await cs.consume(a.challenge, { did, now: T + 2000 })).toEqual({ ok: false, reason: "replayed" });
    expect(await cs.consume(b.challenge, { did, now: T + 60_000 })).toEqual({ ok: false, reason: "expired" });
    expect(await cs.consume("00".repeat(32), { did, now: T })).toEqual({ ok: false, reason: "unknown" });
    const c = await cs.issue({ did, now: T });
    expect(await cs.consume(c.challenge, { did: "did:bpi:bob", now: T })).toEqual({ ok: false, reason: "didMismatch" });
  });
  it("works over an asynchronous store and sweeps expired records", async () => {
    const m = store();
    const asyncStore = {
      get: async (k: string) => m.get(k),
      set: async (k: string, v: ChallengeRecord) => void m.set(k, v),
      delete: async (k: string) => m.delete(k),
      entries: () => m.entries(),
    };
    const cs = new ChallengeStore(asyncStore, { ttlS: 10 });
    const a = await cs.issue({ now: T });
    expect(await cs.consume(a.challenge, { did, now: T })).toEqual({ ok: true });
    await cs.issue({ now: T });
    expect(await cs.sweep(T + 10_000)).toBe(2);
    expect(m.size).toBe(0);
  });
  it("verifies a proof against the document, then consumes its challenge once", async () => {
    const cs = new ChallengeStore(store());
    const { challenge } = await cs.issue({ did, now: T });
    const p = prove(seed2, { did, kid: "#key-2", challenge, now: T });
    expect(verifyForDocument(p, doc, { expectedChallenge: challenge, now: T })).toMatchObject({ ok: true, kid: "did:bpi:alice#key-2", address: expect.stringMatching(/^bpi1/) });
    expect(await verifyAndConsume(p, doc, cs, { now: T })).toMatchObject({ ok: true });
    expect(await verifyAndConsume(p, doc, cs, { now: T })).toEqual({ ok: false, reason: "challenge replayed" });
  });
  it("does not burn a challenge on a bad proof, and refuses foreign keys and DIDs", async () => {
    const cs = new ChallengeStore(store());
    const { challenge } = await cs.issue({ did, now: T });
    const wrongKey = prove(seed2, { did, kid, challenge, now: T }); // seed2 is key-2, not key-1
    expect((await verifyAndConsume(wrongKey, doc, cs, { now: T })).ok).toBe(false);
    expect(verifyForDocument(prove(seed1, { did, kid: "#nope", challenge, now: T }), doc, { expectedChallenge: challenge, now: T })).toMatchObject({ ok: false, reason: /authentication key/ });
    expect(verifyForDocument(prove(seed1, { did: "did:bpi:bob", kid, challenge, now: T }), doc, { expectedChallenge: challenge, now: T })).toMatchObject({ ok: false, reason: /another DID/ });
    expect(await verifyAndConsume(prove(seed1, { did, kid, challenge, now: T }), doc, cs, { now: T })).toMatchObject({ ok: true });
  });
  it("refuses a proof whose challenge was never issued", async () => {
    const cs = new ChallengeStore(store());
    expect(await verifyAndConsume(mkProof(), doc, cs, { now: T })).toEqual({ ok: false, reason: "challenge unknown" });
  });
  it("works for did:key keys too", async () => {
    const { resolveDidKey, didKeyFromPublicKey } = await import("../../../domain/resolver/did-key.ts");
    const dk = didKeyFromPublicKey(pub1);
    const kdoc = parseDidDocument(resolveDidKey(dk));
    const vm = (kdoc.authentication as string[])[0];
    const p = prove(seed1, { did: dk, kid: vm, challenge: CH, now: T });
    expect(verifyForDocument(p, kdoc, opts)).toMatchObject({ ok: true, kid: vm });
  });
});
