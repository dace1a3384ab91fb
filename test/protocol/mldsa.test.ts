// PROTOCOL.md §15: the ml_dsa_65 section of test/vectors/protocol-v1.1.json, with both ML-DSA-65
// backends (native WebCrypto where the runtime has it, noble everywhere). This file runs in workerd
// (the workers project) and in Node (the node project).
import { afterAll, describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.1.json";
import {
  DOMAINS, fromBase64, hashAuditEntry, fromHex, isMldsaPublicKeyText, isMldsaSigText, logBlockHash, mldsaBackend, mldsaPublicKeyFromSeed,
  mldsaPublicKeyToText, mldsaSignerFromHex, mldsaSigToText, mldsaSyncSignerFromHex, mldsaVerify, resolveMldsaBackend,
  setMldsaBackend, signAuditEntry, signerFromHex, signingInput, signLogBlock, signLogBlockSync, syncSignerFromSeed, textToMldsaSig,
  toBase64, toHex, utf8, verifyAuditEntry, verifyAuditEntryMldsa, verifyLogBlock, verifyLogBlockMldsa,
  type AuditEntryFields, type LogBlock,
} from "../../protocol/index.ts";

const V = vectors.ml_dsa_65;
const PUB = fromBase64(V.public_key_b64);
const BLOCK = V.block as unknown as LogBlock & { sig_notary_mldsa: string };
const MSG = fromHex(V.signing_input_hex);
const inWorkerd = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";

afterAll(() => setMldsaBackend("auto"));

describe("ml_dsa_65 vector: formats", () => {
  it("has the fields this suite covers", () => {
    expect(Object.keys(V).sort()).toEqual(["block", "block_hash", "note", "public_key_b64", "seed_hex", "signing_input_hex"]);
  });

  it("seed → public key (FIPS 204 KeyGen from the 32-byte seed), base64 of 1,952 bytes", () => {
    const pub = mldsaPublicKeyFromSeed(fromHex(V.seed_hex));
    expect(pub.length).toBe(1952);
    expect(mldsaPublicKeyToText(pub)).toBe(V.public_key_b64);
    expect(isMldsaPublicKeyText(V.public_key_b64)).toBe(true);
  });

  it("block hash leaves out both signatures; signing input is UTF8(D) || 0x0A || hash", () => {
    expect(logBlockHash(BLOCK)).toBe(V.block_hash);
    expect(toHex(signingInput(DOMAINS.logBlock, V.block_hash))).toBe(V.signing_input_hex);
    const { sig_notary_mldsa: _m, ...withoutMldsa } = BLOCK;
    expect(logBlockHash(withoutMldsa)).toBe(V.block_hash);
  });

  it("1.1 body rule (§12): every sig_… member is outside the hash, any other new field inside", () => {
    expect(logBlockHash({ ...BLOCK, sig_future: "anything" })).toBe(V.block_hash);
    expect(logBlockHash({ ...BLOCK, future: "anything" })).not.toBe(V.block_hash);
    const entry = { v: 1, cluster: "prod", seq: 1, ts: "2026-01-15T10:00:00.000Z", event: "ClusterCreated", actor: "system", subject: "prod", details: {}, prev_hash: "blake3:genesis" };
    expect(hashAuditEntry({ ...entry, sig_mldsa: "x", sig_other: "y" })).toBe(hashAuditEntry(entry));
  });

  it("signature text: ml-dsa-65: + base64 of 3,309 bytes; anything else is refused", () => {
    expect(isMldsaSigText(BLOCK.sig_notary_mldsa)).toBe(true);
    const sig = textToMldsaSig(BLOCK.sig_notary_mldsa);
    expect(sig.length).toBe(3309);
    expect(mldsaSigToText(sig)).toBe(BLOCK.sig_notary_mldsa);
    expect(isMldsaSigText(BLOCK.sig_notary_mldsa.slice(0, -4))).toBe(false);
    expect(isMldsaSigText("ml-dsa-44:" + BLOCK.sig_notary_mldsa.slice(10))).toBe(false);
    expect(() => mldsaSigToText(sig.subarray(1))).toThrow(/3309 bytes/);
  });

  it("the block's Ed25519 signature still verifies with the co-signature present", async () => {
    const notary = await signerFromHex(vectors.keys.notary_seed);
    expect(BLOCK.notary).toBe(notary.address);
    expect(await verifyLogBlock(BLOCK, notary.address)).toEqual({ ok: true });
  });
});

describe("backend", () => {
  it(inWorkerd ? "workerd has native ML-DSA-65 (webcrypto_modern_algorithms)" : "auto picks a backend that works here", async () => {
    setMldsaBackend("auto");
    const b = await resolveMldsaBackend();
    if (inWorkerd) expect(b).toBe("webcrypto");
    expect(mldsaBackend()).toBe(b);
  });
});

for (const backend of ["webcrypto", "noble"] as const) {
  describe(`${backend}`, () => {
    const use = async () => {
      setMldsaBackend("auto");
      if (backend === "webcrypto" && (await resolveMldsaBackend()) !== "webcrypto") return false;
      setMldsaBackend(backend);
      return true;
    };

    it("verifies the vector's co-signature, and refuses it tampered or on another message", async () => {
      if (!(await use())) return expect(inWorkerd).toBe(false);
      const sig = textToMldsaSig(BLOCK.sig_notary_mldsa);
      expect(await mldsaVerify(PUB, MSG, sig)).toBe(true);
      expect(await verifyLogBlockMldsa(BLOCK, PUB)).toEqual({ ok: true });
      const bad = sig.slice();
      bad[100] ^= 1;
      expect(await mldsaVerify(PUB, MSG, bad)).toBe(false);
      const tampered = { ...BLOCK, sig_notary_mldsa: mldsaSigToText(bad) };
      expect(await verifyLogBlockMldsa(tampered, PUB)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify for notary_mldsa/) });
      expect(await verifyLogBlockMldsa({ ...BLOCK, count: 4 }, PUB)).toMatchObject({ ok: false });
      const { sig_notary_mldsa: _m, ...bare } = BLOCK;
      expect(await verifyLogBlockMldsa(bare, PUB)).toMatchObject({ ok: false, reason: expect.stringMatching(/has no sig_notary_mldsa/) });
      expect(await mldsaVerify(PUB.subarray(1), MSG, sig)).toBe(false);
    });

    it("signs from the seed; the signature verifies under the vector key with the other backend too", async () => {
      if (!(await use())) return expect(inWorkerd).toBe(false);
      const signer = await mldsaSignerFromHex(V.seed_hex);
      expect(toBase64(signer.publicKey)).toBe(V.public_key_b64);
      const sig = await signer.sign(MSG);
      expect(sig.length).toBe(3309);
      expect(await mldsaVerify(PUB, MSG, sig)).toBe(true);
      setMldsaBackend(backend === "noble" ? "auto" : "noble");
      expect(await mldsaVerify(PUB, MSG, sig)).toBe(true);
      expect(await mldsaVerify(PUB, utf8("another message"), sig)).toBe(false);
    });

    it("re-signs the vector block and a co-signed audit entry; both signatures verify", async () => {
      if (!(await use())) return expect(inWorkerd).toBe(false);
      const notary = await signerFromHex(vectors.keys.notary_seed);
      const mldsa = await mldsaSignerFromHex(V.seed_hex);
      const { sig_notary: _s, sig_notary_mldsa: _m, ...body } = BLOCK;
      const block = await signLogBlock(body, notary, mldsa);
      expect(block.sig_notary).toBe(BLOCK.sig_notary); // Ed25519 is deterministic; ML-DSA is hedged
      expect(logBlockHash(block)).toBe(V.block_hash);
      expect(await verifyLogBlockMldsa(block, PUB)).toEqual({ ok: true });
      const entry = await signAuditEntry(
        { v: 1, cluster: "prod", seq: 1, ts: "2026-01-15T10:00:00.000Z", event: "ClusterCreated", actor: "system", subject: "prod", details: {}, prev_hash: "blake3:genesis" } as AuditEntryFields,
        notary,
        mldsa,
      );
      expect(await verifyAuditEntry(entry, notary.address)).toEqual({ ok: true });
      expect(await verifyAuditEntryMldsa(entry, PUB)).toEqual({ ok: true });
      expect(await verifyAuditEntryMldsa({ ...entry, subject: "other" }, PUB)).toMatchObject({ ok: false });
    });
  });
}

it("the synchronous (noble) signer co-signs blocks the async verifiers accept", async () => {
  const block = signLogBlockSync(
    (({ sig_notary: _s, sig_notary_mldsa: _m, ...b }) => b)(BLOCK),
    syncSignerFromSeed(fromHex(vectors.keys.notary_seed)),
    mldsaSyncSignerFromHex(V.seed_hex),
  );
  expect(await verifyLogBlockMldsa(block, PUB)).toEqual({ ok: true });
});
