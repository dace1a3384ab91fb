import { base58 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { encodeAddress } from "../../../protocol/address.ts";
import { toHex } from "../../../protocol/bytes.ts";
import {
  authenticationKeys,
  DidDocumentSchema,
  findService,
  findVerificationMethod,
  parseDidDocument,
} from "../../../domain/resolver/did-document.ts";
import { didKeyFromPublicKey, didKeyPublicKey, resolveDidKey } from "../../../domain/resolver/did-key.ts";
import { bpiDoc, pub1, pub2 } from "./fixtures.ts";
import { decodeEd25519Multikey, encodeEd25519Multikey, encodeX25519Multikey } from "../../../protocol/rootzk/multikey.ts";
import { err } from "./expect-resolve-error.ts";

describe("Multikey", () => {
  it("round-trips Ed25519 keys as z6Mk…", () => {
    const mb = encodeEd25519Multikey(pub1);
    expect(mb.startsWith("z6Mk")).toBe(true);
    expect(toHex(decodeEd25519Multikey(mb))).toBe(toHex(pub1));
  });
  it("refuses other codecs, lengths, bases and invalid points", () => {
    expect(err(() => decodeEd25519Multikey(encodeX25519Multikey(pub1))).code).toBe("invalidPublicKeyType");
    expect(err(() => decodeEd25519Multikey("u" + "A".repeat(40))).code).toBe("invalidPublicKey");
    expect(err(() => decodeEd25519Multikey("z0OIl")).code).toBe("invalidPublicKey");
    expect(err(() => decodeEd25519Multikey(`z${base58.encode(Uint8Array.of(0xed, 0x01, ...pub1, 0))}`)).code).toBe("invalidPublicKeyLength");
    // y = 2^255 - 1 is not canonical (>= p); the identity (01 00…) is of small order.
    expect(err(() => decodeEd25519Multikey(encodeEd25519Multikey(new Uint8Array(32).fill(0xff).map((b, i) => (i === 31 ? 0x7f : b))))).code).toBe("invalidPublicKey");
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect(err(() => decodeEd25519Multikey(encodeEd25519Multikey(identity))).code).toBe("invalidPublicKey");
  });
});

describe("DID document schema", () => {
  it("accepts a did:bpi document with Multikey methods, references and services", () => {
    const doc = parseDidDocument(bpiDoc());
    expect(doc.id).toBe("did:bpi:alice");
    expect(DidDocumentSchema.safeParse({ ...bpiDoc(), extension: { any: 1 } }).success).toBe(true);
  });
  it("accepts embedded authentication methods and other method types", () => {
    const doc = bpiDoc();
    doc.authentication = [{ id: "#emb", type: "Multikey", controller: doc.id, publicKeyMultibase: encodeEd25519Multikey(pub2) }];
    doc.verificationMethod!.push({ id: "#jwk", type: "JsonWebKey2020", controller: doc.id, publicKeyJwk: { kty: "OKP" } });
    expect(() => parseDidDocument(doc)).not.toThrow();
  });
  it.each([
    ["no id", (d: any) => delete d.id],
    ["bad id", (d: any) => (d.id = "alice")],
    ["bad context", (d: any) => (d["@context"] = ["https://example.com/ctx"])],
    ["Multikey with a non-Ed25519 key", (d: any) => (d.verificationMethod[0].publicKeyMultibase = "zABC")],
    ["method without controller", (d: any) => delete d.verificationMethod[0].controller],
    ["duplicate method id", (d: any) => (d.verificationMethod[1].id = "#key-1")],
    ["dangling authentication reference", (d: any) => d.authentication.push("#nope")],
    ["service endpoint not a URL", (d: any) => (d.service[0].serviceEndpoint = "not a url")],
    ["service endpoint a map", (d: any) => (d.service[0].serviceEndpoint = { uri: "https://x" })],
    ["duplicate service id", (d: any) => (d.service[1].id = "did:bpi:alice#api")],
    ["service without type", (d: any) => delete d.service[0].type],
  ])("refuses %s", (_label, mutate) => {
    const d = structuredClone(bpiDoc()) as any;
    mutate(d);
    const e = err(() => parseDidDocument(d));
    expect([e.status, e.code]).toEqual([500, "invalidDidDocument"]);
  });
});

describe("document helpers", () => {
  const doc = parseDidDocument(bpiDoc());
  it("authenticationKeys gives absolute ids, raw keys and bpi1 addresses", () => {
    const keys = authenticationKeys(doc);
    expect(keys.map((k) => k.id)).toEqual(["did:bpi:alice#key-1", "did:bpi:alice#key-2"]);
    expect(toHex(keys[0].publicKey)).toBe(toHex(pub1));
    expect(keys[1].address).toBe(encodeAddress(pub2));
    expect(keys[1].address.startsWith("bpi1")).toBe(true);
  });
  it("authenticationKeys skips other types and keys of other DIDs", () => {
    const d = bpiDoc();
    d.authentication = ["did:bpi:bob#key-1", { id: "#x", type: "JsonWebKey2020", controller: d.id }, "#key-2"];
    expect(authenticationKeys(parseDidDocument(d)).map((k) => k.id)).toEqual(["did:bpi:alice#key-2"]);
  });
  it("findService accepts api, #api and the absolute id", () => {
    for (const id of ["api", "#api", "did:bpi:alice#api"]) expect(findService(doc, id)?.serviceEndpoint).toBe("https://api.example.com/v1");
    expect(findService(doc, "files")?.serviceEndpoint).toBe("https://files.example.com/");
    expect(findService(doc, "did:bpi:bob#api")).toBeUndefined();
    expect(findService(doc, "nope")).toBeUndefined();
  });
  it("findVerificationMethod resolves relative and absolute ids", () => {
    expect(findVerificationMethod(doc, "#key-2")?.id).toBe("#key-2");
    expect(findVerificationMethod(doc, "did:bpi:alice#key-2")?.id).toBe("#key-2");
  });
});

describe("did:key", () => {
  const vector = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
  it("resolves the did:key spec's Ed25519 example to a document with that key", () => {
    const doc = resolveDidKey(vector);
    const mb = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    const vm = `${vector}#${mb}`;
    expect(doc).toEqual({
      "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
      id: vector,
      verificationMethod: [{ id: vm, type: "Multikey", controller: vector, publicKeyMultibase: mb }],
      authentication: [vm],
      assertionMethod: [vm],
      capabilityInvocation: [vm],
      capabilityDelegation: [vm],
    });
    // base58btc-decoded independently: ed01 || key
    expect(toHex(didKeyPublicKey(vector))).toBe("2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6");
    expect(() => parseDidDocument(doc)).not.toThrow();
    expect(authenticationKeys(parseDidDocument(doc))[0].id).toBe(vm);
  });
  it("derives the X25519 keyAgreement key on request", () => {
    const doc = resolveDidKey(vector, { enableEncryptionKeyDerivation: true });
    expect(doc.verificationMethod).toHaveLength(2);
    const x = doc.verificationMethod![1] as { id: string; publicKeyMultibase: string };
    expect(x.publicKeyMultibase.startsWith("z6LS")).toBe(true);
    expect(doc.keyAgreement).toEqual([x.id]);
    expect(() => parseDidDocument(doc)).not.toThrow();
    expect(authenticationKeys(parseDidDocument(doc))).toHaveLength(1);
  });
  it("round-trips a public key", () => {
    expect(toHex(didKeyPublicKey(didKeyFromPublicKey(pub1)))).toBe(toHex(pub1));
  });
  it.each([
    ["did:key:abc", "invalidDid"],
    [`did:key:z${base58.encode(Uint8Array.of(0xed, 0x01, ...pub1.slice(0, 31)))}`, "invalidPublicKeyLength"],
    [`did:key:${encodeX25519Multikey(pub1)}`, "invalidPublicKeyType"],
    ["did:key:z0", "invalidPublicKey"],
    ["did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalidDid"],
    ["did:web:example.com", "invalidDid"],
  ])("refuses %s (%s)", (did, code) => {
    const e = err(() => resolveDidKey(did));
    expect([e.status, e.code]).toEqual([400, code]);
  });
});
