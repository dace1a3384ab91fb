import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeEd25519Multikey } from "../../../protocol/rootzk/multikey.ts";
import { didWebToUrl, fetchDidWeb, type FetchLike } from "../../../domain/resolver/did-web.ts";
import { ResolveError } from "../../../protocol/rootzk/errors.ts";
import { isBlockedIPv6, parseIPv6, refuseHost } from "../../../domain/resolver/net-guard.ts";
import { pub1 } from "./fixtures.ts";
import { err } from "./expect-resolve-error.ts";

async function rejects(p: Promise<unknown>): Promise<ResolveError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ResolveError);
    return e as ResolveError;
  }
  throw new Error("expected a ResolveError");
}

function webDoc(did: string): Record<string, unknown> {
  return {
    "@context": "https://www.w3.org/ns/did/v1",
    id: did,
    verificationMethod: [{ id: `${did}#k1`, type: "Multikey", controller: did, publicKeyMultibase: encodeEd25519Multikey(pub1) }],
    authentication: ["#k1"],
    service: [{ id: "#api", type: "LinkedDomains", serviceEndpoint: "https://api.example.com/" }],
  };
}

interface Call {
  url: string;
  init: RequestInit;
}

/** A fake fetch at the outer edge: a table of URL → Response factory, recording every call. */
function fakeFetch(routes: Record<string, (init: RequestInit) => Response | Promise<Response>>): FetchLike & { calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const r = routes[url];
    if (!r) return new Response("nope", { status: 404 });
    return r(init);
  }) as FetchLike & { calls: Call[] };
  f.calls = calls;
  return f;
}

const json = (v: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(v), { status: 200, headers: { "content-type": "application/did+json", ...headers } });

describe("did:web → URL (did:web spec, Read)", () => {
  it.each([
    ["did:web:example.com", "https://example.com/.well-known/did.json"],
    ["did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"],
    ["did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"],
    ["did:web:example.com%3A3000:a:b", "https://example.com:3000/a/b/did.json"],
    ["did:web:Example.COM:u%20x", "https://example.com/u%20x/did.json"],
    ["did:web:8.8.8.8", "https://8.8.8.8/.well-known/did.json"],
  ])("%s → %s", (did, url) => expect(didWebToUrl(did)).toBe(url));

  it.each([
    "did:web:localhost",
    "did:web:localhost%3A8080",
    "did:web:app.localhost",
    "did:web:printer.local",
    "did:web:db.internal",
    "did:web:intranet",
    "did:web:127.0.0.1",
    "did:web:10.1.2.3",
    "did:web:172.16.0.1",
    "did:web:192.168.1.1",
    "did:web:169.254.169.254",
    "did:web:100.64.0.1",
    "did:web:0.0.0.0",
    "did:web:0x7f.1",
    "did:web:2130706433",
    "did:web:%5B%3A%3A1%5D",
    "did:web:%5B%3A%3Affff%3A127.0.0.1%5D",
    "did:web:%5Bfe80%3A%3A1%5D",
    "did:web:%5Bfd00%3A%3A1%5D",
    "did:web:%5B%3A%3A%5D",
    "did:web:example.com%2Fevil",
    "did:web:example.com%40evil.com",
    "did:web:example.com:%2e%2e:x",
    "did:web:example.com:a%2Fb",
    "did:web:example.com::a",
    "did:web:%ff",
  ])("refuses %s with 400 invalidDid", (did) => {
    const e = err(() => didWebToUrl(did));
    expect([e.status, e.code]).toEqual([400, "invalidDid"]);
  });
  it("refuses another method", () => expect(err(() => didWebToUrl("did:bpi:alice")).code).toBe("invalidDid"));
  it("fuzz: maps only to https URLs of public hosts, or throws ResolveError", () => {
    const piece = fc.constantFrom(
      "example.com", "a", ".", "..", ":", "%3A", "%2F", "%2e%2e", "%5B", "%5D", "::1", "127.0.0.1", "10.0.0.1", "0x7f", "localhost",
      "local", "%40", "%25", "8080", "-", "_", "%00", "ffff", "1", "%", "é",
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (parts) => {
        const did = `did:web:${parts.join("")}`;
        let url: string;
        try {
          url = didWebToUrl(did);
        } catch (e) {
          if (!(e instanceof ResolveError)) throw e;
          return;
        }
        const u = new URL(url);
        expect(u.protocol).toBe("https:");
        expect(refuseHost(u.hostname)).toBeNull();
        expect(u.pathname.endsWith("/did.json")).toBe(true);
        expect(u.search + u.hash + u.username).toBe("");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("net guard", () => {
  it("parses IPv6 forms", () => {
    expect(parseIPv6("[::1]")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6("2001:db8::8:800:200c:417a")).toEqual([0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ["1::2::3", "1:2:3", "12345::", "::g", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0"]) expect(parseIPv6(bad)).toBeNull();
  });
  it("allows public addresses and refuses the special ranges", () => {
    expect(refuseHost("example.com")).toBeNull();
    expect(refuseHost("1.1.1.1")).toBeNull();
    expect(refuseHost("[2606:4700::1111]")).toBeNull();
    expect(refuseHost("[::ffff:8.8.8.8]")).toBeNull();
    for (const h of ["[::ffff:a00:1]", "[64:ff9b::a00:1]", "[2002:c0a8:101::1]", "[2001:db8::1]", "[ff02::1]", "[::]", "[fc00::1]", "198.18.0.1", "224.0.0.1", "255.255.255.255", "foo.test", "a.onion"])
      expect(refuseHost(h)).not.toBeNull();
    expect(isBlockedIPv6([0x2606, 0x4700, 0, 0, 0, 0, 0, 0x1111])).toBe(false);
  });
});

describe("fetchDidWeb with a fake fetch", () => {
  const did = "did:web:example.com:u:alice";
  const url = "https://example.com/u/alice/did.json";

  it("fetches, validates and returns the document", async () => {
    const f = fakeFetch({ [url]: () => json(webDoc(did)) });
    const doc = await fetchDidWeb(did, { fetch: f });
    expect(doc.id).toBe(did);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0].init.redirect).toBe("manual");
    expect(f.calls[0].init.method).toBe("GET");
    expect(f.calls[0].init.signal).toBeInstanceOf(AbortSignal);
  });
  it("never calls fetch for refused hosts", async () => {
    const f = fakeFetch({});
    for (const d of ["did:web:localhost", "did:web:192.168.0.1", "did:web:%5B%3A%3A1%5D"]) expect((await rejects(fetchDidWeb(d, { fetch: f }))).code).toBe("invalidDid");
    expect(f.calls).toHaveLength(0);
  });
  it("maps 404 and 410 to notFound, other statuses to internalError", async () => {
    expect((await rejects(fetchDidWeb(did, { fetch: fakeFetch({}) }))).status).toBe(404);
    expect((await rejects(fetchDidWeb(did, { fetch: fakeFetch({ [url]: () => new Response("", { status: 410 }) }) }))).code).toBe("notFound");
    const e = await rejects(fetchDidWeb(did, { fetch: fakeFetch({ [url]: () => new Response("x", { status: 503 }) }) }));
    expect([e.status, e.code]).toEqual([500, "internalError"]);
  });
  it("refuses a body larger than maxBytes by Content-Length", async () => {
    const f = fakeFetch({ [url]: () => new Response("{}", { headers: { "content-length": "70000" } }) });
    const e = await rejects(fetchDidWeb(did, { fetch: f }));
    expect(e.code).toBe("invalidDidDocumentLength");
  });
  it("stops reading a streamed body past maxBytes and cancels the stream", async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(8192).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const f = fakeFetch({ [url]: () => new Response(body) });
    const e = await rejects(fetchDidWeb(did, { fetch: f, maxBytes: 64 * 1024 }));
    expect(e.code).toBe("invalidDidDocumentLength");
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(12);
  });
  it("accepts a document exactly at maxBytes", async () => {
    const text = JSON.stringify(webDoc(did));
    const f = fakeFetch({ [url]: () => new Response(text) });
    expect((await fetchDidWeb(did, { fetch: f, maxBytes: new TextEncoder().encode(text).length })).id).toBe(did);
    expect((await rejects(fetchDidWeb(did, { fetch: f, maxBytes: text.length - 1 }))).code).toBe("invalidDidDocumentLength");
  });
  it("refuses a redirect to another host without following it", async () => {
    const f = fakeFetch({ [url]: () => new Response(null, { status: 302, headers: { location: "https://evil.example.net/did.json" } }) });
    const e = await rejects(fetchDidWeb(did, { fetch: f }));
    expect(e.code).toBe("internalError");
    expect(e.detail).toMatch(/redirect/);
    expect(f.calls.map((c) => c.url)).toEqual([url]);
  });
  it("refuses a redirect to http: on the same host and one without Location", async () => {
    const f = fakeFetch({ [url]: () => new Response(null, { status: 301, headers: { location: "http://example.com/u/alice/did.json" } }) });
    expect((await rejects(fetchDidWeb(did, { fetch: f }))).detail).toMatch(/redirect/);
    const g = fakeFetch({ [url]: () => new Response(null, { status: 307 }) });
    expect((await rejects(fetchDidWeb(did, { fetch: g }))).detail).toMatch(/redirect/);
  });
  it("follows a same-origin redirect, a bounded number of times", async () => {
    const moved = "https://example.com/moved/did.json";
    const f = fakeFetch({
      [url]: () => new Response(null, { status: 308, headers: { location: "/moved/did.json" } }),
      [moved]: () => json(webDoc(did)),
    });
    expect((await fetchDidWeb(did, { fetch: f })).id).toBe(did);
    expect(f.calls.map((c) => c.url)).toEqual([url, moved]);
    const loop = fakeFetch({ [url]: () => new Response(null, { status: 302, headers: { location: url } }) });
    expect((await rejects(fetchDidWeb(did, { fetch: loop, maxRedirects: 2 }))).detail).toMatch(/too many redirects/);
    expect(loop.calls).toHaveLength(3);
  });
  it("refuses non-JSON and non-UTF-8 bodies", async () => {
    for (const body of ["<html>hi</html>", "", new Uint8Array([0x7b, 0xff, 0x7d])]) {
      const e = await rejects(fetchDidWeb(did, { fetch: fakeFetch({ [url]: () => new Response(body) }) }));
      expect([e.status, e.code]).toEqual([500, "invalidDidDocument"]);
    }
  });
  it("refuses a document whose id is another DID, or that fails the schema", async () => {
    const other = fakeFetch({ [url]: () => json(webDoc("did:web:evil.example.net")) });
    expect((await rejects(fetchDidWeb(did, { fetch: other }))).detail).toMatch(/not the DID/);
    const broken = fakeFetch({ [url]: () => json({ ...webDoc(did), service: [{ id: "#x" }] }) });
    expect((await rejects(fetchDidWeb(did, { fetch: broken }))).code).toBe("invalidDidDocument");
  });
  it("times out and aborts the request", async () => {
    let aborted = false;
    const f = fakeFetch({
      [url]: (init) =>
        new Promise<Response>((_, reject) => {
          init.signal!.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
    });
    const e = await rejects(fetchDidWeb(did, { fetch: f, timeoutMs: 20 }));
    expect(e.code).toBe("internalError");
    expect(e.detail).toMatch(/timed out/);
    expect(aborted).toBe(true);
  });
  it("maps a network failure to internalError", async () => {
    const f: FetchLike = async () => {
      throw new TypeError("network down");
    };
    expect((await rejects(fetchDidWeb(did, { fetch: f }))).code).toBe("internalError");
  });
});
