import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertSupportedMethod, isDid, parseBpiDid, parseDid, parseDidUrl } from "../../../protocol/rootzk/did.ts";
import { ResolveError } from "../../../protocol/rootzk/errors.ts";
import { err } from "./expect-resolve-error.ts";

describe("DID syntax (DID Core §3.1)", () => {
  it.each([
    "did:bpi:alice",
    "did:example:123456789abcdefghi",
    "did:web:example.com%3A3000:user:alice",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:a1:b::c",
    "did:x:_.-%41",
  ])("accepts %s", (d) => {
    expect(isDid(d)).toBe(true);
    expect(parseDid(d).did).toBe(d);
  });
  it.each([
    "", "did:", "did:bpi", "did:bpi:", "did::x", "DID:bpi:x", "did:Bpi:x", "did:b-p:x", "did:bpi:x:", "did:bpi:a b",
    "did:bpi:%zz", "did:bpi:%4", "did:bpi:é", "did:bpi:a/b", "did:bpi:a#b", "did:bpi:a?b", `did:bpi:${"a".repeat(2050)}`,
  ])("refuses %j with 400 invalidDid", (d) => {
    expect(isDid(d)).toBe(false);
    const e = err(() => parseDid(d));
    expect([e.status, e.code, e.field]).toEqual([400, "invalidDid", "did"]);
  });
  it("splits method and method-specific id", () => {
    expect(parseDid("did:web:example.com:u:alice")).toEqual({ did: "did:web:example.com:u:alice", method: "web", methodSpecificId: "example.com:u:alice" });
  });
  it("knows supported methods", () => {
    expect(assertSupportedMethod(parseDid("did:web:a.com"))).toBe("web");
    const e = err(() => assertSupportedMethod(parseDid("did:ion:abc")));
    expect([e.status, e.code]).toEqual([501, "methodNotSupported"]);
  });
});

describe("did:bpi names", () => {
  it("accepts [a-z0-9-]{3,64}", () => {
    expect(parseBpiDid("did:bpi:abc")).toEqual({ did: "did:bpi:abc", name: "abc" });
    expect(parseBpiDid(`did:bpi:${"a".repeat(64)}`).name).toHaveLength(64);
    expect(parseBpiDid("did:bpi:a-1-b").name).toBe("a-1-b");
  });
  it.each(["did:bpi:ab", `did:bpi:${"a".repeat(65)}`, "did:bpi:ABC", "did:bpi:a_b", "did:bpi:a.b", "did:bpi:a:b", "did:bpi:a%41b", "did:web:abc"])(
    "refuses %s",
    (d) => expect(err(() => parseBpiDid(d)).code).toBe("invalidDid"),
  );
});

describe("DID URLs (DID Core §3.2)", () => {
  it("parses path, query parameters and fragment", () => {
    const u = parseDidUrl("did:bpi:alice/some/path?service=api&relativeRef=%2Fv1%2Fx%3Fa%3D1&versionId=3#frag");
    expect(u).toMatchObject({
      did: "did:bpi:alice",
      method: "bpi",
      path: "/some/path",
      query: "service=api&relativeRef=%2Fv1%2Fx%3Fa%3D1&versionId=3",
      fragment: "frag",
    });
    expect({ ...u.params }).toEqual({ service: "api", relativeRef: "/v1/x?a=1", versionId: "3" });
  });
  it("parses a bare DID and a fragment-only DID URL", () => {
    expect(parseDidUrl("did:bpi:alice")).toMatchObject({ path: "", query: null, fragment: null });
    expect(parseDidUrl("did:bpi:alice#key-1")).toMatchObject({ path: "", query: null, fragment: "key-1" });
    expect(parseDidUrl("did:bpi:alice?versionTime=2026-01-15T10:00:00Z").params.versionTime).toBe("2026-01-15T10:00:00Z");
  });
  it.each([
    ["did:bpi:alice?service=a&service=b", "service"],
    ["did:bpi:alice?relativeRef=/x", "relativeRef"],
    ["did:bpi:alice?service=", "service"],
    ["did:bpi:alice?versionTime=yesterday", "versionTime"],
    ["did:bpi:alice?service=%FF", "service"],
    ["did:bpi:alice?=x", "query"],
    ["did:bpi:alice/a b", "path"],
    ["did:bpi:alice?a=<x>", "query"],
    ["did:bpi:alice#a#b", "fragment"],
    ["did:bpi:alice/%zz", "path"],
  ])("refuses %j", (u, field) => {
    const e = err(() => parseDidUrl(u));
    expect([e.status, e.code, e.field]).toEqual([400, "invalidDidUrl", field]);
  });
  it("reports a bad DID part as invalidDid", () => {
    expect(err(() => parseDidUrl("did:bpi/x")).code).toBe("invalidDid");
    expect(err(() => parseDidUrl("")).code).toBe("invalidDidUrl");
  });
  it("does not let __proto__ parameters reach Object.prototype", () => {
    const u = parseDidUrl("did:bpi:alice?__proto__=x&service=a");
    expect(u.params.__proto__).toBe("x");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("fuzz: DID parsing throws nothing but ResolveError", () => {
  const check = (s: string) => {
    for (const f of [parseDid, parseDidUrl, parseBpiDid]) {
      try {
        f(s);
      } catch (e) {
        if (!(e instanceof ResolveError)) throw e;
        expect(e.status).toBe(400);
      }
    }
    expect(typeof isDid(s)).toBe("boolean");
  };
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), check), { numRuns: 2000 });
  });
  it("on DID-shaped strings", () => {
    const piece = fc.constantFrom("did", ":", "bpi", "web", "key", "a", "Z", "9", ".", "-", "_", "%", "%41", "%F", "%FF", "/", "?", "#", "=", "&", "service", "relativeRef", " ", "é");
    fc.assert(fc.property(fc.array(piece, { maxLength: 16 }).map((a) => a.join("")), check), { numRuns: 4000 });
  });
  it("accepts every DID built from the grammar", () => {
    const idchar = fc.constantFrom(..."abcXYZ019.-_".split(""), "%2F", "%3a");
    const seg = fc.array(idchar, { maxLength: 6 }).map((a) => a.join(""));
    const lastSeg = fc.array(idchar, { minLength: 1, maxLength: 6 }).map((a) => a.join(""));
    const method = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(method, fc.array(seg, { maxLength: 3 }), lastSeg, (m, segs, last) => {
        const did = `did:${m}:${[...segs, last].join(":")}`;
        expect(parseDid(did).method).toBe(m);
      }),
      { numRuns: 1000 },
    );
  });
});
