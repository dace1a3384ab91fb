import { describe, expect, it } from "vitest";
import { fromHex } from "../../../protocol/bytes.ts";
import { parseDidDocument } from "../../../domain/resolver/did-document.ts";
import { ResolveError } from "../../../protocol/rootzk/errors.ts";
import { parseHttpcgName, parseRootzkName } from "../../../domain/resolver/names.ts";
import { qlockVerify } from "../../../domain/resolver/qlock.ts";
import { buildHttpcgResolved, buildRootzkResolved } from "../../../domain/resolver/resolved-domain.ts";
import { dereference, errorResult, httpStatusFor, negotiate, resolutionResult } from "../../../domain/resolver/resolution.ts";
import { bpiDoc } from "./fixtures.ts";
import { err } from "./expect-resolve-error.ts";

const T = Date.parse("2026-01-15T10:02:30.000Z");
const doc = parseDidDocument(bpiDoc());

describe("DID Resolution results", () => {
  it("builds the W3C result with metadata", () => {
    const meta = { created: "2026-01-01T00:00:00.000Z", updated: "2026-01-02T00:00:00.000Z", deactivated: false, versionId: "2" };
    const r = resolutionResult(doc, meta, { retrieved: T, durationMs: 3 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      "@context": "https://w3id.org/did-resolution/v1",
      didDocument: doc,
      didResolutionMetadata: { contentType: "application/did+ld+json", retrieved: "2026-01-15T10:02:30.000Z", duration: 3 },
      didDocumentMetadata: meta,
    });
  });
  it("answers 410 for a deactivated DID", () => {
    expect(resolutionResult(doc, { deactivated: true }, { retrieved: new Date(T) }).status).toBe(410);
  });
  it("builds error results with the Universal Resolver statuses", () => {
    const r = errorResult(new ResolveError("notFound", "no such DID", "did"), { retrieved: "2026-01-15T10:02:30.000Z" });
    expect(r).toEqual({
      status: 404,
      body: {
        "@context": "https://w3id.org/did-resolution/v1",
        didDocument: null,
        didResolutionMetadata: { retrieved: "2026-01-15T10:02:30.000Z", error: "notFound", errorMessage: "no such DID" },
        didDocumentMetadata: {},
      },
    });
    expect(errorResult("methodNotSupported", { retrieved: T }, "nope").body.didResolutionMetadata.errorMessage).toBe("nope");
  });
  it.each([
    ["invalidDid", 400],
    ["invalidDidUrl", 400],
    ["notFound", 404],
    ["deactivated", 410],
    ["methodNotSupported", 501],
    ["representationNotSupported", 406],
    ["internalError", 500],
    ["invalidDidDocument", 500],
    ["somethingElse", 500],
  ])("%s → %i", (code, status) => expect(httpStatusFor(code)).toBe(status));
  it("negotiates the representation", () => {
    expect(negotiate(undefined)).toBe("result");
    expect(negotiate("*/*")).toBe("result");
    expect(negotiate('application/ld+json;profile="https://w3id.org/did-resolution"')).toBe("result");
    expect(negotiate("application/did+ld+json")).toBe("application/did+ld+json");
    expect(negotiate("text/html, application/did+json;q=0.5")).toBe("application/did+json");
    const e = err(() => negotiate("text/html"));
    expect([e.status, e.code]).toEqual([406, "representationNotSupported"]);
  });
  it("gives ResolveError an RFC 9457 body", () => {
    expect(new ResolveError("invalidPath", "escapes", "path").toProblem()).toEqual({
      type: "urn:enc:problem:resolver:invalidPath",
      title: "Bad Request",
      status: 400,
      detail: "escapes",
      code: "invalidPath",
      field: "path",
    });
  });
});

describe("DID URL dereferencing", () => {
  it("selects a service endpoint and resolves relativeRef by RFC 3986", () => {
    expect(dereference("did:bpi:alice?service=api", doc)).toEqual({ kind: "url", url: "https://api.example.com/v1", contentType: "text/uri-list" });
    expect(dereference("did:bpi:alice?service=api&relativeRef=%2Fdocs%3Fx%3D1", doc)).toMatchObject({ url: "https://api.example.com/docs?x=1" });
    expect(dereference("did:bpi:alice?service=files&relativeRef=a%2Fb", doc)).toMatchObject({ url: "https://files.example.com/a/b" });
    expect(dereference("did:bpi:alice?service=api&relativeRef=x%2F..%2Fy", doc)).toMatchObject({ url: "https://api.example.com/y" });
    expect(dereference("did:bpi:alice?service=files&relativeRef=a#sec", doc)).toMatchObject({ url: "https://files.example.com/a#sec" });
  });
  it("refuses relativeRefs that leave the endpoint's origin", () => {
    for (const ref of ["%2F%2Fevil.com%2Fx", "https%3A%2F%2Fevil.com%2F", "javascript%3Aalert(1)", "%5C%5Cevil.com", "a%20b"]) {
      const e = err(() => dereference(`did:bpi:alice?service=api&relativeRef=${ref}`, doc));
      expect([e.status, e.code, e.field]).toEqual([400, "invalidDidUrl", "relativeRef"]);
    }
  });
  it("finds verification methods and services by fragment, or returns the document", () => {
    expect(dereference("did:bpi:alice#key-2", doc)).toMatchObject({ kind: "resource", resource: { id: "#key-2", type: "Multikey" } });
    expect(dereference("did:bpi:alice#files", doc)).toMatchObject({ kind: "resource", resource: { serviceEndpoint: "https://files.example.com/" } });
    expect(dereference("did:bpi:alice", doc)).toMatchObject({ kind: "document", document: doc });
  });
  it("reports missing things as notFound and foreign DIDs as invalidDidUrl", () => {
    expect(err(() => dereference("did:bpi:alice?service=nope", doc)).status).toBe(404);
    expect(err(() => dereference("did:bpi:alice#nope", doc)).status).toBe(404);
    expect(err(() => dereference("did:bpi:alice/path", doc)).status).toBe(404);
    expect(err(() => dereference("did:bpi:bob?service=api", doc)).code).toBe("invalidDidUrl");
  });
});

describe("ResolvedDomain builders", () => {
  const key = fromHex("42".repeat(32));
  const wallet = "bpi1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0jqsr9jkz";

  it("builds an httpcg answer with a QLOCK binding that verifies", () => {
    const name = parseHttpcgName("httpcg://app.example.com/api/v1?x=1");
    const r = buildHttpcgResolved({ name, record: { https_endpoint: "https://origin.example.net/app", wallet_binding: wallet }, qlockKey: key, now: T });
    expect(r).toMatchObject({
      domain: "httpcg://app.example.com/api/v1?x=1",
      protocol: "httpcg",
      endpoint: "https://origin.example.net/app/api/v1?x=1",
      security_requirements: { tlsls_required: true, min_tls_version: "1.3", wallet_authentication: true, qlock_binding: { alg: "blake3-keyed" } },
      wallet_binding: wallet,
      cache_ttl: 300,
      resolution_time: "2026-01-15T10:02:30.000Z",
    });
    const q = (r.security_requirements as { qlock_binding: { token: string } }).qlock_binding;
    expect(qlockVerify(key, q.token, { wallet, host: "app.example.com", path: "/api/v1", now: T })).toBe(true);
  });
  it("binds the requesting wallet when given, and caps the cache TTL at the QLOCK window", () => {
    const name = parseHttpcgName("httpcg://app.example.com:8443/");
    const other = "bpi1other";
    const r = buildHttpcgResolved({ name, record: { https_endpoint: "https://o.example.net", ttl_s: 3600 }, qlockKey: key, wallet: other, now: T });
    expect(r.cache_ttl).toBe(300);
    expect(r.wallet_binding).toBeNull();
    const q = (r.security_requirements as { qlock_binding: { token: string } }).qlock_binding;
    expect(qlockVerify(key, q.token, { wallet: other, host: "app.example.com:8443", path: "/", now: T })).toBe(true);
    expect(buildHttpcgResolved({ name, record: { https_endpoint: "https://o.example.net", ttl_s: 60 }, qlockKey: key, now: T }).cache_ttl).toBe(60);
  });
  it("refuses a registry endpoint that is not https", () => {
    const name = parseHttpcgName("httpcg://app.example.com/");
    expect(err(() => buildHttpcgResolved({ name, record: { https_endpoint: "http://o.example.net" }, qlockKey: key, now: T })).code).toBe("invalidPath");
  });
  it("builds a rootzk answer from the DID document's service", () => {
    const r = buildRootzkResolved({ name: parseRootzkName("rootzk://did:bpi:alice/api/x/y?z=1"), document: doc, now: T });
    expect(r).toEqual({
      domain: "rootzk://did:bpi:alice/api/x/y?z=1",
      protocol: "rootzk",
      endpoint: "https://api.example.com/v1/x/y?z=1",
      security_requirements: {
        tlsls_required: true,
        min_tls_version: "1.3",
        did_authentication: true,
        zk_proof_required: true,
        zk_proof: { scheme: "schnorr-ristretto255-sha512", domain: "enc/rootzk-zk/v1", window_s: 300, verification_methods: ["did:bpi:alice#key-1", "did:bpi:alice#key-2"] },
      },
      wallet_binding: expect.stringMatching(/^bpi1/),
      cache_ttl: 600,
      resolution_time: "2026-01-15T10:02:30.000Z",
    });
  });
  it("answers 404 for a missing service, 410 for a deactivated DID, 400 for an escaping path", () => {
    expect(err(() => buildRootzkResolved({ name: parseRootzkName("rootzk://did:bpi:alice/nope"), document: doc, now: T })).status).toBe(404);
    expect(err(() => buildRootzkResolved({ name: parseRootzkName("rootzk://did:bpi:alice/api"), document: doc, deactivated: true, now: T })).status).toBe(410);
    expect(err(() => buildRootzkResolved({ name: parseRootzkName("rootzk://did:bpi:bob/api"), document: doc, now: T })).code).toBe("invalidDidDocument");
  });
});
