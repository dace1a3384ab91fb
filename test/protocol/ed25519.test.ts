import { ed25519 } from "@noble/curves/ed25519.js";
import { afterEach, describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import { cachedVerifyKeyCount } from "../../protocol/ed25519-webcrypto.ts";
import {
  ed25519Backend, fromHex, generateSeed, publicKeyFromSeed, publicKeyOf, resolveEd25519Backend, setEd25519Backend, signerFromHex,
  signerFromSeed, toHex, utf8, verifySignature, verifyWithAddress,
} from "../../protocol/index.ts";

// RFC 8032 §7.1, tests 1-3.
const RFC8032 = [
  { sk: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", msg: "",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
  { sk: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", msg: "72",
    sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
  { sk: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", msg: "af82",
    sig: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
];

afterEach(() => setEd25519Backend("auto"));

describe.each(["webcrypto", "noble"] as const)("ed25519 (%s)", (backend) => {
  it.each(RFC8032)("RFC 8032 vector $pk", async (v) => {
    setEd25519Backend(backend);
    const signer = await signerFromSeed(fromHex(v.sk));
    expect(toHex(signer.publicKey)).toBe(v.pk);
    expect(toHex(await signer.sign(fromHex(v.msg)))).toBe(v.sig);
    expect(await verifySignature(fromHex(v.pk), fromHex(v.msg), fromHex(v.sig))).toBe(true);
    expect(await verifyWithAddress(signer.address, fromHex(v.msg), fromHex(v.sig))).toBe(true);
  });

  it("returns false, never throws, on bad or malformed input", async () => {
    setEd25519Backend(backend);
    const v = RFC8032[1];
    const [pk, msg, sig] = [fromHex(v.pk), fromHex(v.msg), fromHex(v.sig)];
    const flipped = sig.slice();
    flipped[10] ^= 1;
    const notOnCurve = fromHex("02".padEnd(64, "0")); // y = 2 has no x on edwards25519
    expect(ed25519.utils.isValidPublicKey(notOnCurve)).toBe(false);
    const bad: Array<[Uint8Array, Uint8Array, Uint8Array]> = [
      [pk, msg, flipped], [pk, utf8("other"), sig], [fromHex(RFC8032[0].pk), msg, sig], [notOnCurve, msg, sig],
      [pk.subarray(1), msg, sig], [pk, msg, sig.subarray(1)], [pk, msg, new Uint8Array(64)],
      ["x" as unknown as Uint8Array, msg, sig], [pk, null as unknown as Uint8Array, sig],
    ];
    for (const [p, m, s] of bad) expect(await verifySignature(p, m, s)).toBe(false);
    // S ≥ L (non-canonical) must be refused: RFC 8032 §5.1.7.
    const highS = sig.slice();
    highS[63] |= 0xf0;
    expect(await verifySignature(pk, msg, highS)).toBe(false);
    expect(await verifyWithAddress("bpi1bad", msg, sig)).toBe(false);
  });
});

describe("ed25519 backends", () => {
  it("auto resolves to WebCrypto here (workerd and Node 22 both have it)", async () => {
    expect(await resolveEd25519Backend()).toBe("webcrypto");
    await signerFromSeed(generateSeed());
    expect(ed25519Backend()).toBe("webcrypto");
  });

  it("can be forced, and rejects unknown names", () => {
    setEd25519Backend("noble");
    expect(ed25519Backend()).toBe("noble");
    expect(() => setEd25519Backend("openssl" as "noble")).toThrow();
  });

  it("backends produce identical signatures and cross-verify", async () => {
    const seed = generateSeed();
    const msg = utf8("cross-check");
    setEd25519Backend("noble");
    const a = await (await signerFromSeed(seed)).sign(msg);
    setEd25519Backend("webcrypto");
    const signer = await signerFromSeed(seed);
    expect(toHex(await signer.sign(msg))).toBe(toHex(a));
    expect(await verifySignature(signer.publicKey, msg, a)).toBe(true);
    setEd25519Backend("noble");
    expect(await verifySignature(signer.publicKey, msg, a)).toBe(true);
  });

  it("a signer follows a backend switch made after it was created", async () => {
    const signer = await signerFromHex(vectors.keys[0].seed);
    setEd25519Backend("noble");
    const a = await signer.sign(utf8("x"));
    setEd25519Backend("webcrypto");
    expect(toHex(await signer.sign(utf8("x")))).toBe(toHex(a));
  });

  it("keeps the imported-key cache bounded", async () => {
    setEd25519Backend("webcrypto");
    const msg = utf8("m");
    for (let i = 0; i < 530; i++) {
      const seed = new Uint8Array(32).fill(i & 255);
      seed[0] = i >> 8;
      await verifySignature(publicKeyFromSeed(seed), msg, new Uint8Array(64).fill(1));
    }
    expect(cachedVerifyKeyCount()).toBeLessThanOrEqual(512);
    expect(cachedVerifyKeyCount()).toBeGreaterThan(0);
  });

  it("validates seeds", async () => {
    expect(generateSeed()).toHaveLength(32);
    expect(() => publicKeyFromSeed(new Uint8Array(31))).toThrow(/32 bytes/);
    await expect(publicKeyOf(new Uint8Array(33))).rejects.toThrow(/32 bytes/);
  });

  it("derives the same public key natively (WebCrypto JWK) as noble's scalar multiplication", async () => {
    expect(await resolveEd25519Backend()).toBe("webcrypto");
    for (let i = 0; i < 20; i++) {
      const seed = generateSeed();
      expect(toHex(await publicKeyOf(seed))).toBe(toHex(publicKeyFromSeed(seed)));
    }
    await expect(signerFromHex("00")).rejects.toThrow(/64 hex/);
    await expect(signerFromHex("zz".repeat(32))).rejects.toThrow(/hex/);
  });
});
