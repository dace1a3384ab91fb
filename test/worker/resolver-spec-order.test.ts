// Issue 10 finding 6: syntax is checked before the method (W3C DID Resolution), and a name with a
// scheme we do not resolve is the caller's error (400 unsupportedProtocol), not our 501.
import { describe, expect, it } from "vitest";
import { get, resolvePath } from "./resolver-helpers.ts";

const ids = (s: string) => `/1.0/identifiers/${s}`;

describe("spec order of resolver errors", () => {
  it.each([
    "did:rootzk://did:bpi:alice/api",
    "did:rootzk:",
    "did:Foo:bar",
    "did:example",
    "did:example:",
    "did:rootzk:%2F%2Fx",
    "did%3Arootzk%3A%2F%2Fdid%3Abpi%3Aalice%2Fapi",
  ])("GET /1.0/identifiers/%s is 400 invalidDid, not methodNotSupported", async (s) => {
    const r = await get(ids(s));
    expect([r.status, r.body.didResolutionMetadata?.error]).toEqual([400, expect.stringMatching(/^invalidDid(Url)?$/)]);
  });

  it("keeps 501 methodNotSupported for a well-formed DID of another method", async () => {
    const r = await get(ids("did:example:123"));
    expect([r.status, r.body.didResolutionMetadata?.error]).toEqual([501, "methodNotSupported"]);
  });

  it.each(["http://a.example.com/", "https://a.example.com/", "ftp://x.example.com/"])("GET /v1/resolve?name=%s is 400 unsupportedProtocol", async (name) => {
    const r = await get(resolvePath(name));
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body).toMatchObject({ status: 400, code: "unsupportedProtocol", field: "name" });
  });
});
