import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import {
  contentDigest, fromBase64, signRequest, signatureBase, signerFromHex, toBase64, utf8, verifyRequest,
  type VerifyRequestResult,
} from "../../protocol/index.ts";

const v = vectors.http_signature;
const CREATED = 1768471200;
const signer = await signerFromHex(v.signer_seed);
const body = utf8(v.body);
const base = { method: v.method, url: v.url, body, now: CREATED };

async function expectReason(result: Promise<VerifyRequestResult>, reason: RegExp) {
  const r = await result;
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.reason).toMatch(reason);
}
const withHeaders = (changes: Record<string, string | undefined>) => {
  const h: Record<string, string> = { ...v.headers };
  for (const [k, val] of Object.entries(changes)) {
    if (val === undefined) delete h[k];
    else h[k] = val;
  }
  return h;
};

describe("http signature: the vector", () => {
  it("builds the documented signature base", () => {
    const params = v.headers["signature-input"].slice("enc=".length);
    const text = signatureBase(
      [["@method", "POST"], ["@target-uri", v.url], ["content-digest", v.headers["content-digest"]]],
      params,
    );
    expect(text).toBe(
      `"@method": POST\n"@target-uri": http://127.0.0.1:8787/v1/clusters\n"content-digest": ${v.headers["content-digest"]}\n"@signature-params": ${params}`,
    );
  });

  it("content digest of the body", () => {
    expect(contentDigest(body)).toBe(v.headers["content-digest"]);
  });

  it("verifies with a Headers object and with mixed-case record keys", async () => {
    expect((await verifyRequest({ ...base, headers: new Headers(v.headers) })).ok).toBe(true);
    const mixed = { "Content-Digest": v.headers["content-digest"], "Signature-Input": v.headers["signature-input"], Signature: v.headers.signature };
    expect((await verifyRequest({ ...base, headers: mixed })).ok).toBe(true);
  });

  it("accepts created exactly 300 s away in either direction", async () => {
    expect((await verifyRequest({ ...base, headers: v.headers, now: CREATED + 60 })).ok).toBe(true);
    expect((await verifyRequest({ ...base, headers: v.headers, now: CREATED - 300 })).ok).toBe(true);
  });
});

describe("http signature: signing", () => {
  it("signs bodiless requests without content-digest, with default expiry and nonce", async () => {
    const now = Math.floor(Date.now() / 1000);
    const url = "https://enc.example/v1/clusters/prod?x=1";
    const headers = await signRequest({ method: "get", url, signer });
    expect(headers["content-digest"]).toBeUndefined();
    expect(headers["signature-input"]).toMatch(/^enc=\("@method" "@target-uri"\);created=\d+;expires=\d+;nonce="[A-Za-z0-9_-]{22}";keyid="bpi1[a-z0-9]{58}";alg="ed25519"$/);
    const r = await verifyRequest({ method: "GET", url, headers, body: null });
    expect(r).toMatchObject({ ok: true, keyid: signer.address });
    if (r.ok) {
      expect(Math.abs(r.created - now)).toBeLessThanOrEqual(2);
      expect(r.expires).toBe(r.created + 300);
    }
    const again = await signRequest({ method: "GET", url, signer });
    expect(again["signature-input"]).not.toBe(headers["signature-input"]); // fresh nonce
  });

  it("treats an empty body like no body", async () => {
    const headers = await signRequest({ method: "DELETE", url: v.url, body: "", signer, created: CREATED });
    expect(headers["content-digest"]).toBeUndefined();
    expect((await verifyRequest({ method: "DELETE", url: v.url, headers, body: new Uint8Array(0), now: CREATED })).ok).toBe(true);
  });

  it("accepts a lone signature under another label (generic RFC 9421 clients)", async () => {
    const headers = withHeaders({
      "signature-input": v.headers["signature-input"].replace(/^enc=/, "sig1="),
      signature: v.headers.signature.replace(/^enc=/, "sig1="),
    });
    expect((await verifyRequest({ ...base, headers })).ok).toBe(true);
  });
});

describe("http signature: failures", () => {
  it("missing headers", async () => {
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ "signature-input": undefined }) }), /missing Signature-Input header/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ signature: undefined }) }), /missing Signature header/);
    await expectReason(verifyRequest({ ...base, headers: {} }), /missing Signature-Input header/);
  });

  it("malformed Signature-Input", async () => {
    const cases: Array<[string, RegExp]> = [
      ['enc=("@method" "@target-uri"', /malformed Signature-Input header/],
      ["enc=1", /must be an inner list/],
      ['enc=("@method" @target-uri)', /malformed Signature-Input header/],
      ['enc=(@method);created=1', /malformed Signature-Input header/],
      ['other=("@method");created=1, more=("@method")', /no "enc" signature/],
      ['enc=("@method" "@target-uri" "@method");created=1768471200;nonce="n";keyid="x"', /covered twice/],
      ['enc=("@method" "@status");created=1768471200', /unsupported derived component "@status"/],
      ['enc=("@method" "content-digest";sf);created=1768471200', /component parameters/],
      ['enc=("@method" "Content-Digest");created=1768471200', /must be lowercase/],
    ];
    for (const [input, reason] of cases) await expectReason(verifyRequest({ ...base, headers: withHeaders({ "signature-input": input }) }), reason);
  });

  it("malformed Signature", async () => {
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ signature: "enc=:!!!:" }) }), /malformed Signature header/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ signature: 'enc="abc"' }) }), /must be a byte sequence/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ signature: "other=:AAAA:" }) }), /Signature header has no "enc" entry/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ signature: "enc=:AAAA:" }) }), /64 bytes/);
  });

  const input = v.headers["signature-input"];
  const replaceParam = (re: RegExp, by: string) => withHeaders({ "signature-input": input.replace(re, by) });

  it("unknown alg", async () => {
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/alg="ed25519"/, 'alg="rsa-pss-sha512"') }), /unsupported alg "rsa-pss-sha512"/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/alg="ed25519"/, "alg=ed25519") }), /unsupported alg "ed25519"/); // a token, not a string
  });

  it("keyid that is not a valid bpi1 address", async () => {
    const addr = signer.address;
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/keyid="[^"]*"/, `keyid="${addr.toUpperCase()}"`) }), /keyid is not a valid bpi1 address: address must be lowercase/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/keyid="[^"]*"/, 'keyid="alice"') }), /keyid is not a valid bpi1 address/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/;keyid="[^"]*"/, "") }), /missing keyid/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/keyid="[^"]*"/, "keyid=1") }), /keyid must be a quoted string/);
  });

  it("created too far from now, in either direction", async () => {
    await expectReason(verifyRequest({ ...base, headers: v.headers, now: CREATED + 301 }), /created 301 s ago/);
    await expectReason(verifyRequest({ ...base, headers: v.headers, now: CREATED - 301 }), /created 301 s in the future/);
    await expectReason(verifyRequest({ ...base, headers: v.headers, now: CREATED - 31, windowS: 30 }), /allowed clock skew is 30 s/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/created=\d+;/, "") }), /missing created/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/created=\d+/, "created=1.5") }), /created must be an integer/);
  });

  it("expired", async () => {
    await expectReason(verifyRequest({ ...base, headers: v.headers, now: CREATED + 61 }), /signature expired 1 s ago/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/expires=\d+/, `expires=${CREATED - 1}`) }), /expires before it was created/);
  });

  it("missing nonce", async () => {
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/;nonce="[^"]*"/, "") }), /missing nonce/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/nonce="[^"]*"/, 'nonce=""') }), /missing nonce/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/nonce="[^"]*"/, "nonce=5") }), /nonce must be a quoted string/);
  });

  it("digest missing or not covered when a body is present", async () => {
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ "content-digest": undefined }) }), /Content-Digest header is required/);
    const bodiless = await signRequest({ method: "POST", url: v.url, signer, created: CREATED });
    await expectReason(
      verifyRequest({ ...base, headers: { ...bodiless, "content-digest": contentDigest(body) } }),
      /must cover "content-digest"/,
    );
  });

  it("digest mismatch", async () => {
    await expectReason(verifyRequest({ ...base, headers: v.headers, body: utf8('{"name": "prod2"}') }), /Content-Digest sha-256 does not match the request body/);
    const wrongDigest = `sha-256=:${toBase64(new Uint8Array(32))}:`;
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ "content-digest": wrongDigest }) }), /does not match the request body/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ "content-digest": "md5=:AAAA:" }) }), /no supported algorithm/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ "content-digest": "sha-256=abc" }) }), /sha-256 is not a byte sequence/);
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ "content-digest": "sha-256=:AA" }) }), /malformed Content-Digest/);
    // A body sent on a request signed without one still has to match its (covered) digest.
    await expectReason(verifyRequest({ ...base, headers: v.headers, body: null }), /does not match the request body/);
  });

  it("bad signature", async () => {
    const sig = fromBase64(v.headers.signature.slice(5, -1));
    sig[0] ^= 1;
    await expectReason(verifyRequest({ ...base, headers: withHeaders({ signature: `enc=:${toBase64(sig)}:` }) }), /signature "enc" does not verify for keyid bpi1/);
    await expectReason(verifyRequest({ ...base, method: "PUT", headers: v.headers }), /does not verify/);
    await expectReason(verifyRequest({ ...base, url: v.url + "?admin=1", headers: v.headers }), /does not verify/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/nonce="[^"]*"/, 'nonce="other"') }), /does not verify/);
    const other = await signerFromHex(vectors.keys[0].seed);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/keyid="[^"]*"/, `keyid="${other.address}"`) }), /does not verify for keyid/);
  });

  it("requires @method and @target-uri to be covered", async () => {
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/"@method" /, "") }), /must cover "@method"/);
    await expectReason(verifyRequest({ ...base, headers: replaceParam(/ "@target-uri"/, "") }), /must cover "@target-uri"/);
  });

  it("a covered header that is absent", async () => {
    await expectReason(
      verifyRequest({ ...base, headers: replaceParam(/"content-digest"\)/, '"content-digest" "x-enc-cluster")') }),
      /covered component "x-enc-cluster" is missing/,
    );
  });
});
