import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResolveError } from "../../../protocol/rootzk/errors.ts";
import { parseHttpcgName, parseName, parseRootzkName } from "../../../domain/resolver/names.ts";
import { err } from "./expect-resolve-error.ts";

describe("httpcg names", () => {
  it("parses host, port, path and query", () => {
    expect(parseName("httpcg://App.Example.com:8443/api/v1?x=1&y=%20")).toEqual({
      protocol: "httpcg",
      name: "httpcg://app.example.com:8443/api/v1?x=1&y=%20",
      host: "app.example.com",
      port: 8443,
      authority: "app.example.com:8443",
      path: "/api/v1",
      query: "x=1&y=%20",
    });
  });
  it("defaults the path to / and has no port", () => {
    const n = parseHttpcgName("HTTPCG://app.example.com");
    expect(n).toMatchObject({ host: "app.example.com", port: null, authority: "app.example.com", path: "/", query: null, name: "httpcg://app.example.com/" });
    expect(parseHttpcgName("httpcg://app.example.com?q").path).toBe("/");
    expect(parseHttpcgName("httpcg://app.example.com/a/").path).toBe("/a/");
  });
  it.each([
    ["", "name", "invalidName"],
    ["app.example.com", "name", "invalidName"],
    ["httpcg://", "host", "invalidName"],
    ["httpcg://user@app.example.com/", "host", "invalidName"],
    ["httpcg://[::1]/", "host", "invalidName"],
    ["httpcg://127.0.0.1/", "host", "invalidName"],
    ["httpcg://-bad.example.com/", "host", "invalidName"],
    ["httpcg://a..b/", "host", "invalidName"],
    [`httpcg://${"a".repeat(64)}.com/`, "host", "invalidName"],
    ["httpcg://app.example.com:0/", "port", "invalidName"],
    ["httpcg://app.example.com:65536/", "port", "invalidName"],
    ["httpcg://app.example.com:080/", "port", "invalidName"],
    ["httpcg://app.example.com:/", "port", "invalidName"],
    ["httpcg://app.example.com/a#frag", "fragment", "invalidName"],
    ["httpcg://app.example.com/a b", "name", "invalidName"],
    ["httpcg://app.example.com/\u00e9", "name", "invalidName"],
    ["httpcg://app.example.com/../etc", "path", "invalidPath"],
    ["httpcg://app.example.com/a/%2e%2E/b", "path", "invalidPath"],
    ["httpcg://app.example.com//evil.com", "path", "invalidPath"],
    ["httpcg://app.example.com/a%2fb", "path", "invalidPath"],
    ["httpcg://app.example.com/a\\b", "path", "invalidPath"],
    ["httpcg://app.example.com/a%zz", "path", "invalidPath"],
    ["httpcg://app.example.com/a?b c", "name", "invalidName"],
    ["httpcg://app.example.com/a?<x>", "query", "invalidPath"],
  ])("refuses %j (%s, %s) with 400", (input, field, code) => {
    const e = err(() => parseName(input));
    expect(e.status).toBe(400);
    expect(e.field).toBe(field);
    expect(e.code).toBe(code);
  });
  it("refuses other schemes with 400 (the caller's error, issue 10)", () => {
    for (const n of ["https://example.com/", "http://x.y/", "ftp://a.b/"]) {
      const e = err(() => parseName(n));
      expect([e.status, e.code, e.field]).toEqual([400, "unsupportedProtocol", "scheme"]);
    }
  });
  it("refuses non-strings and overlong names", () => {
    expect(err(() => parseName(undefined)).status).toBe(400);
    expect(err(() => parseName(42)).status).toBe(400);
    expect(err(() => parseName(`httpcg://a.com/${"x".repeat(2100)}`)).field).toBe("name");
  });
});

describe("rootzk names", () => {
  it("parses rootzk://did:bpi:alice/api/v1/x", () => {
    expect(parseName("rootzk://did:bpi:alice/api/v1/x")).toEqual({
      protocol: "rootzk",
      name: "rootzk://did:bpi:alice/api/v1/x",
      did: "did:bpi:alice",
      method: "bpi",
      service: "api",
      path: "v1/x",
      query: null,
    });
  });
  it("accepts a service without a path, a query, and other methods", () => {
    expect(parseRootzkName("rootzk://did:bpi:abc123/service")).toMatchObject({ service: "service", path: "" });
    expect(parseRootzkName("rootzk://did:bpi:abc/api/x?y=1")).toMatchObject({ path: "x", query: "y=1" });
    expect(parseRootzkName("rootzk://did:web:example.com%3A8443:u:alice/files/a.txt")).toMatchObject({
      did: "did:web:example.com%3A8443:u:alice",
      method: "web",
      service: "files",
      path: "a.txt",
    });
    expect(parseRootzkName("rootzk://did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK/api").method).toBe("key");
  });
  it.each([
    ["rootzk://", "did", "invalidDid", 400],
    ["rootzk://alice/api", "did", "invalidDid", 400],
    ["rootzk://did:bpi:alice", "service", "invalidName", 400],
    ["rootzk://did:bpi:alice/", "service", "invalidName", 400],
    ["rootzk://did:bpi:alice/../x", "service", "invalidName", 400],
    ["rootzk://did:bpi:alice/a%2fb", "service", "invalidName", 400],
    ["rootzk://did:bpi:al/api", "did", "invalidDid", 400],
    ["rootzk://did:bpi:Alice/api", "did", "invalidDid", 400],
    ["rootzk://did:bpi:alice:x/api", "did", "invalidDid", 400],
    ["rootzk://did:BPI:alice/api", "did", "invalidDid", 400],
    ["rootzk://did:bpi:alice/api/../../x", "path", "invalidPath", 400],
    ["rootzk://did:bpi:alice/api//evil.com", "path", "invalidPath", 400],
    ["rootzk://did:bpi:alice/api/%2E%2e", "path", "invalidPath", 400],
    ["rootzk://did:bpi:alice/api#x", "fragment", "invalidName", 400],
    ["rootzk://did:ethr:0xabc/api", "did", "methodNotSupported", 501],
  ])("refuses %j", (input, field, code, status) => {
    const e = err(() => parseName(input));
    expect([e.status, e.code, e.field]).toEqual([status, code, field]);
  });
  it("tells httpcg and rootzk apart in the typed parsers", () => {
    expect(err(() => parseHttpcgName("rootzk://did:bpi:alice/api")).code).toBe("invalidName");
    expect(err(() => parseRootzkName("httpcg://a.com/")).code).toBe("invalidName");
  });
});

describe("fuzz: parseName throws nothing but ResolveError", () => {
  const check = (s: string) => {
    try {
      const n = parseName(s);
      // A parsed name parses again to itself.
      expect(parseName(n.name)).toEqual(n);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      expect([400, 404, 410, 501]).toContain(e.status);
    }
  };
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), check), { numRuns: 2000 });
  });
  it("on strings built from name pieces", () => {
    const piece = fc.constantFrom(
      "httpcg://", "rootzk://", "did:", "bpi:", "web:", "key:", "alice", "a.b", ":", "/", "//", "?", "#", "%", "%2e", "%2F",
      "%3A", "..", ".", "\\", "@", "[", "]", "::1", "80", "65536", "x", "-", "_", "~", " ", "\u0000", "é", "z6Mk",
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 14 }).map((a) => a.join("")), check), { numRuns: 4000 });
  });
});
