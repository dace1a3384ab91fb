// Property: whatever the name or DID, the public resolver routes answer a client error or a
// result, never a server error, and always a JSON body. (501 methodNotSupported is the spec's
// answer for an unimplemented DID method, not a failure: it is checked to be exactly that.) Inputs mix structured near-misses (real schemes,
// hosts, DIDs, dot segments, encodings) with arbitrary strings.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, workerFetch } from "./helpers.ts";
import { didDocument, keyedWallet, uniqDid, uniqHost } from "./resolver-helpers.ts";

const known = { host: "", did: "" };

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates become U+FFFD, as a browser sends them). */
const pct = (s: string) => Array.from(new TextEncoder().encode(s), (b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0").toUpperCase()}`)).join("");
const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""));
/** Raw percent-escapes, including ones that are not UTF-8 at all. */
const rawPct = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0")}`), fc.constantFrom("%", "%Z", "a", ":", "/", "?", "#")), { maxLength: 12 }).map((a) => a.join(""));

beforeAll(async () => {
  const w = await keyedWallet();
  known.host = uniqHost();
  known.did = uniqDid();
  await w.api.put(`/v1/registry/httpcg/${known.host}`, { https_endpoint: "https://fuzz.example.com/base" });
  await w.api.put(`/v1/dids/${known.did}`, didDocument(known.did, [w.signer], { api: "https://api.example.com/base/" }));
});

const nasty = fc.constantFrom(..."aZ09-._~:/?#[]@!$&'()*+,;=%\\ \t\u0000\u007f\"<>^`{|}é€😀".split(""), "..", ".", "%2e", "%2E%2e", "%2f", "%5c", "%00", "%ZZ", "%", "//", "did:", "xn--");
const piece = fc.string({ unit: fc.oneof(nasty, fc.constantFrom(..."abcdefghijklmnop0123456789-".split(""))), maxLength: 12 });
const path = fc.array(fc.oneof(piece, fc.webSegment()), { maxLength: 6 }).map((a) => a.join("/"));
const query = fc.option(fc.oneof(piece, fc.webQueryParameters()), { nil: undefined });
const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((a) => `[${a}]`), piece, fc.constant(() => known.host).map((f) => f()));
const method = fc.constantFrom("bpi", "key", "web", "example", "BPI", "", "b-p-i");
const did = fc.oneof(
  fc.tuple(method, piece).map(([m, id]) => `did:${m}:${id}`),
  fc.tuple(method, fc.domain()).map(([m, d]) => `did:${m}:${d}`),
  fc.constant(null).map(() => known.did),
  fc.constantFrom("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "did:web:good.didweb.example", "did:web:127.0.0.1", "did:web:localhost%3A80"),
  piece,
);
const scheme = fc.constantFrom("httpcg://", "HTTPCG://", "rootzk://", "RootZK://", "https://", "", "httpcg:/", "rootzk:", "did:");
const port = fc.option(fc.oneof(fc.integer({ min: -1, max: 70_000 }).map(String), piece), { nil: undefined });

const name = fc.oneof(
  fc.tuple(scheme, host, port, path, query).map(([s, h, p, pa, q]) => `${s}${h}${p !== undefined ? `:${p}` : ""}/${pa}${q !== undefined ? `?${q}` : ""}`),
  fc.tuple(scheme, did, fc.oneof(piece, fc.constantFrom("api", "#api", "..")), path, query).map(([s, d, svc, pa, q]) => `${s}${d}/${svc}/${pa}${q !== undefined ? `?${q}` : ""}`),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 100 }),
  fc.constant("httpcg://" + "a.".repeat(1100)),
);

const param = fc.tuple(fc.constantFrom("service", "relativeRef", "versionId", "versionTime", "hl", "", "x"), fc.oneof(piece, fc.constantFrom("api", "1", "2026-01-01T00:00:00Z", "/x", "//evil.example", "https://evil.example")));
const didUrl = fc.tuple(did, fc.option(path, { nil: undefined }), fc.array(param, { maxLength: 3 }), fc.option(piece, { nil: undefined })).map(
  ([d, p, params, frag]) => `${d}${p !== undefined ? `/${p}` : ""}${params.length ? "?" + params.map(([k, v]) => `${k}=${v}`).join("&") : ""}${frag !== undefined ? `#${frag}` : ""}`,
);

async function noServerError(path: string, init?: RequestInit): Promise<void> {
  let req: Request;
  try {
    req = new Request(BASE + path, init);
  } catch {
    return; // not expressible as an HTTP request at all: nothing to send
  }
  const res = await workerFetch(req);
  const text = await res.text();
  const why = `${res.status} for ${path}: ${text.slice(0, 300)}`;
  if (res.status !== 303) expect(() => JSON.parse(text), why).not.toThrow();
  if (res.status === 501) {
    // The one 5xx the DID Resolution spec prescribes: a DID method this resolver does not
    // implement. It is an answer, not a failure; anything else >= 500 is a bug (another name
    // scheme is the caller's error: 400 unsupportedProtocol).
    const body = JSON.parse(text);
    expect([body.code ?? body.didResolutionMetadata?.error], why).toEqual([expect.stringMatching(/^methodNotSupported$/)]);
    return;
  }
  expect(res.status, why).toBeLessThan(500);
}

describe("fuzzing the public resolver routes", () => {
  it("GET /v1/resolve never answers 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(name, fc.option(fc.oneof(piece, fc.constant("bpi1qqqq")), { nil: undefined }), async (n, wallet) => {
        await noServerError(`/v1/resolve?name=${pct(n)}${wallet !== undefined ? `&wallet=${pct(wallet)}` : ""}`);
      }),
      { numRuns: 600 },
    );
  }, 120_000);

  it("GET /v1/resolve never answers 5xx on raw, even non-UTF-8, query bytes", async () => {
    await fc.assert(
      fc.asyncProperty(rawPct, fc.constantFrom("httpcg://", "rootzk://did:bpi:", "rootzk://", ""), async (raw, prefix) => {
        await noServerError(`/v1/resolve?name=${pct(prefix)}${raw}`);
        await noServerError(`/1.0/identifiers/did:bpi:${raw}`);
        await noServerError(`/1.0/identifiers/did%3A${raw}`);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("GET /1.0/identifiers never answers 5xx (raw and percent-encoded)", async () => {
    await fc.assert(
      fc.asyncProperty(didUrl, fc.boolean(), async (u, encode) => {
        await noServerError(`/1.0/identifiers/${encode ? pct(u) : u}`);
      }),
      { numRuns: 600 },
    );
  }, 120_000);

  it("POST /v1/resolve and the proof/QLOCK routes never answer 5xx on arbitrary JSON", async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ name, proof: fc.oneof(fc.jsonValue(), fc.record({ v: fc.constant(1), did, kid: piece, challenge: hex64, window: fc.nat(), commitment: hex64, response: hex64 })) }),
      fc.record({ token: piece, name, wallet: fc.option(piece, { nil: null }) }),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("/v1/resolve", "/v1/resolve/rootzk/verify", "/v1/resolve/qlock/verify", "/v1/resolve/rootzk/challenge"), async (b, route) => {
        await noServerError(route, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
      }),
      { numRuns: 400 },
    );
  }, 120_000);
});
