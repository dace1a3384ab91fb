import { describe, expect, it } from "vitest";
import { didKeyFromPublicKey } from "../../domain/resolver/did-key.ts";
import { didDocument, get, keyedWallet, uniqDid } from "./resolver-helpers.ts";

const RESULT_TYPE = 'application/ld+json;profile="https://w3id.org/did-resolution"';
const ids = (s: string) => `/1.0/identifiers/${s}`;

async function bpi(services: Record<string, string> = { api: "https://api.example.com/base/" }) {
  const w = await keyedWallet();
  const did = uniqDid();
  await w.api.put(`/v1/dids/${did}`, didDocument(did, [w.signer], services));
  return { w, did };
}

function expectError(r: { status: number; headers: Headers; body: any }, status: number, error: string) {
  expect([r.status, r.body.didResolutionMetadata?.error]).toEqual([status, error]);
  expect(r.headers.get("content-type")).toBe(RESULT_TYPE);
  expect(r.body.didDocument).toBeNull();
  expect(r.body.didResolutionMetadata.errorMessage).toEqual(expect.any(String));
}

describe("GET /1.0/identifiers (Universal Resolver interface)", () => {
  it("resolves did:bpi to a W3C DID Resolution result", async () => {
    const { did } = await bpi();
    const r = await get(ids(did));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe(RESULT_TYPE);
    expect(r.body).toMatchObject({
      "@context": "https://w3id.org/did-resolution/v1",
      didDocument: { id: did },
      didResolutionMetadata: { contentType: "application/did+ld+json" },
      didDocumentMetadata: { versionId: "1" },
    });
    expect(r.body.didResolutionMetadata.retrieved).toEqual(expect.any(String));
    expect(r.body.didResolutionMetadata.duration).toEqual(expect.any(Number));
  });

  it("resolves did:key and did:web (root and path forms)", async () => {
    const w = await keyedWallet();
    const key = didKeyFromPublicKey(w.signer.publicKey);
    expect((await get(ids(key))).body.didDocument).toMatchObject({ id: key, authentication: [`${key}#${key.slice(8)}`] });
    expect((await get(ids("did:web:good.didweb.example"))).body.didDocument.id).toBe("did:web:good.didweb.example");
    expect((await get(ids("did:web:good.didweb.example:users:alice"))).body.didDocument.id).toBe("did:web:good.didweb.example:users:alice");
  });

  it("answers the spec's errors: invalidDid 400, notFound 404, deactivated 410, methodNotSupported 501", async () => {
    expectError(await get(ids("did:bpi:AB")), 400, "invalidDid");
    expectError(await get(ids("notadid")), 400, "invalidDid");
    expectError(await get(ids("did:key:zNotBase58!")), 400, "invalidDid");
    expectError(await get(ids(uniqDid())), 404, "notFound");
    expectError(await get(ids("did:web:missing.didweb.example")), 404, "notFound");
    expectError(await get(ids("did:example:123")), 501, "methodNotSupported");
    const { w, did } = await bpi();
    await w.api.delete(`/v1/dids/${did}`);
    const gone = await get(ids(did));
    expect(gone.status).toBe(410);
    expect(gone.body.didDocumentMetadata.deactivated).toBe(true);
    expect(gone.body.didDocument.id).toBe(did);
  });

  it.each([
    ["127.0.0.1", "loopback"],
    ["localhost", "loopback name"],
    ["10.1.2.3", "private"],
    ["192.168.0.1", "private"],
    ["169.254.169.254", "link-local metadata"],
    ["%5B%3A%3A1%5D", "IPv6 loopback"],
    ["%5Bfd00%3A%3A1%5D", "IPv6 unique-local"],
    ["%5B%3A%3Affff%3A127.0.0.1%5D", "v4-mapped loopback"],
    ["printer.local", "mDNS"],
    ["db.internal", "internal"],
    ["intranet", "single label"],
  ])("did:web refuses %s (%s) without fetching", async (host) => {
    expectError(await get(ids(`did:web:${host}`)), 400, "invalidDid");
  });

  it("did:web refuses oversized and endless answers, wrong ids, non-JSON and cross-origin redirects", async () => {
    expectError(await get(ids("did:web:big.didweb.example")), 500, "invalidDidDocumentLength");
    expectError(await get(ids("did:web:stream.didweb.example")), 500, "invalidDidDocumentLength");
    expectError(await get(ids("did:web:wrongid.didweb.example")), 500, "invalidDidDocument");
    expectError(await get(ids("did:web:notjson.didweb.example")), 500, "invalidDidDocument");
    expectError(await get(ids("did:web:redirect.didweb.example")), 500, "internalError");
  });

  it("dereferences ?service=…&relativeRef=… to a 303 at the resolved URL", async () => {
    const { did } = await bpi();
    const r = await get(ids(`${did}?service=api&relativeRef=users/7%3Fx%3D1`));
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("https://api.example.com/base/users/7?x=1");
    expect(r.body).toMatchObject({ contentStream: "https://api.example.com/base/users/7?x=1", dereferencingMetadata: { contentType: "text/uri-list" } });
    expect((await get(ids(`${did}?service=api`))).headers.get("location")).toBe("https://api.example.com/base/");
    expect((await get(ids(`${did}?service=api&relativeRef=/root`))).headers.get("location")).toBe("https://api.example.com/root");
    expectError(await get(ids(`${did}?service=api&relativeRef=//evil.example/x`)), 400, "invalidDidUrl");
    expectError(await get(ids(`${did}?service=api&relativeRef=https://evil.example/`)), 400, "invalidDidUrl");
    expectError(await get(ids(`${did}?service=nope`)), 404, "notFound");
    expectError(await get(ids(`${did}?relativeRef=x`)), 400, "invalidDidUrl");
    expectError(await get(ids(`${did}?service=api&service=api`)), 400, "invalidDidUrl");
  });

  it("dereferences a fragment (percent-encoded DID URL) to the verification method", async () => {
    const { w, did } = await bpi();
    const r = await get(ids(encodeURIComponent(`${did}#key-1`)));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/did+ld+json");
    expect(r.body).toMatchObject({ id: `${did}#key-1`, type: "Multikey" });
    expect(r.body.publicKeyMultibase).toBe(didDocument(did, [w.signer]).verificationMethod[0].publicKeyMultibase);
    expectError(await get(ids(encodeURIComponent(`${did}#nope`))), 404, "notFound");
    expectError(await get(ids("did%3Abpi%3A%ZZ")), 400, "invalidDidUrl");
    expectError(await get(ids(`${did}/some/path`)), 404, "notFound");
  });

  it("negotiates the representation from Accept", async () => {
    const { did } = await bpi();
    const doc = await get(ids(did), { accept: "application/did+ld+json" });
    expect([doc.status, doc.headers.get("content-type"), doc.body.id]).toEqual([200, "application/did+ld+json", did]);
    expect((await get(ids(did), { accept: RESULT_TYPE })).body.didDocument.id).toBe(did);
    expectError(await get(ids(did), { accept: "text/html" }), 406, "representationNotSupported");
  });
});
