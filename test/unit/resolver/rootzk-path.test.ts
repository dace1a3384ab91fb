import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResolveError } from "../../../protocol/rootzk/errors.ts";
import { joinServicePath, parseServiceEndpoint } from "../../../domain/resolver/rootzk-path.ts";
import { err } from "./expect-resolve-error.ts";

describe("joinServicePath", () => {
  it.each([
    ["https://api.example.com/v1", "x/y", null, "https://api.example.com/v1/x/y"],
    ["https://api.example.com/v1/", "x/y", null, "https://api.example.com/v1/x/y"],
    ["https://api.example.com", "", null, "https://api.example.com/"],
    ["https://api.example.com/v1", "", null, "https://api.example.com/v1/"],
    ["https://api.example.com:8443/v1", "a/", "q=1&r=%20", "https://api.example.com:8443/v1/a/?q=1&r=%20"],
    ["https://api.example.com/v1", "a%20b/c:d@e", null, "https://api.example.com/v1/a%20b/c:d@e"],
    ["https://api.example.com/v1", "a.b/..c/.d", null, "https://api.example.com/v1/a.b/..c/.d"],
    ["https://api.example.com/v1", "javascript:alert(1)", null, "https://api.example.com/v1/javascript:alert(1)"],
  ])("%s + %s", (endpoint, path, query, out) => expect(joinServicePath(endpoint, path, query)).toBe(out));

  it.each([
    "..",
    "../x",
    "a/../../x",
    "a/..",
    "./a",
    "a/./b",
    "%2e%2e/x",
    "%2E%2e/x",
    ".%2e/x",
    "a/%2e",
    "//evil.com/x",
    "/etc/passwd",
    "a//b",
    "a\\..\\b",
    "\\\\evil.com",
    "a%2f..%2fb",
    "a%2F..",
    "a%5c..%5cb",
    "a%00b",
    "a b",
    "a\tb",
    "a\nb",
    "a#frag",
    "a?b",
    "é",
    "%zz",
    "a%2",
    "https://evil.com/",
  ])("refuses path %j with 400", (path) => {
    const e = err(() => joinServicePath("https://api.example.com/v1", path));
    expect([e.status, e.code, e.field]).toEqual([400, "invalidPath", "path"]);
  });

  it("refuses bad queries", () => {
    for (const q of ["a b", "a#b", "<x>", "%zz"]) expect(err(() => joinServicePath("https://a.example.com/", "x", q)).field).toBe("query");
  });

  it("refuses endpoints that are not plain https base URLs", () => {
    for (const ep of ["http://a.example.com/", "ftp://a.example.com/", "https://u:p@a.example.com/", "https://a.example.com/?x=1", "https://a.example.com/#f", "nope", "/relative"])
      expect(err(() => parseServiceEndpoint(ep)).field).toBe("endpoint");
    expect(joinServicePath("http://127.0.0.1:8080/svc", "x", null, { allowHttp: true })).toBe("http://127.0.0.1:8080/svc/x");
  });
});

describe("fuzz: a joined path never leaves the endpoint", () => {
  const endpoint = "https://api.example.com/base/v1";
  const prefix = "https://api.example.com/base/v1/";
  const check = (path: string) => {
    let out: string;
    try {
      out = joinServicePath(endpoint, path);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      expect(e.status).toBe(400);
      return;
    }
    const u = new URL(out);
    expect(u.origin).toBe("https://api.example.com");
    expect(out.startsWith(prefix)).toBe(true);
    expect(u.pathname.startsWith("/base/v1/")).toBe(true);
    expect(u.pathname).toBe(`/base/v1/${path}`);
    // No segment of the result decodes to a dot segment or hides a slash or backslash.
    for (const seg of u.pathname.split("/")) {
      const d = unescape(seg); // byte-wise, never throws
      expect(d === "." || d === ".." || d.includes("/") || d.includes("\\")).toBe(false);
    }
  };
  const piece = fc.constantFrom(
    "a", "b", "/", "//", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "\\", "%", "%00", "%252e", "?", "#", ":", "@",
    "evil.com", "https:", "~", " ", "\t", "é", "%e9", "x.y",
  );
  it("on strings of path pieces", () => {
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((a) => a.join("")), check), { numRuns: 5000 });
  });
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 120 }), check), { numRuns: 3000 });
  });
  it("on strings of pchar", () => {
    const pchar = fc.constantFrom(..."abcXYZ09-._~!$&'()*+,;=:@/".split(""));
    fc.assert(fc.property(fc.array(pchar, { maxLength: 30 }).map((a) => a.join("")), check), { numRuns: 3000 });
  });
});
