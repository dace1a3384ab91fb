// Property: whatever a signed client sends to the registry writes (hosts, DID documents), the
// answer is a result or a client error, never a server error, and a refused write stores nothing.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeEd25519Multikey } from "../../protocol/rootzk/multikey.ts";
import { get, keyedWallet, type KeyedWallet } from "./resolver-helpers.ts";

let w: KeyedWallet;
beforeAll(async () => {
  w = await keyedWallet();
});

const odd = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("\ud800", "a\udc00b", "https://a.example.com/\ud83d", "#key-1", "did:bpi:abc"));
const value = fc.oneof(odd, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));

const hostBody = fc.record(
  {
    https_endpoint: fc.oneof(fc.webUrl(), odd),
    gateway: fc.oneof(fc.record({ cluster: odd, workload: odd }), value),
    wallet_binding: fc.oneof(fc.constant(null), odd),
    ttl_s: value,
    extra: value,
  },
  { requiredKeys: [] },
);

function didBody(did: string, mb: string) {
  const method = fc.record({ id: fc.oneof(fc.constant(`${did}#key-1`), odd), type: fc.oneof(fc.constant("Multikey"), odd), controller: fc.oneof(fc.constant(did), odd), publicKeyMultibase: fc.oneof(fc.constant(mb), odd) }, { requiredKeys: [] });
  return fc.record(
    {
      "@context": fc.oneof(fc.constant(["https://www.w3.org/ns/did/v1"]), value),
      id: fc.oneof(fc.constant(did), odd),
      verificationMethod: fc.oneof(fc.array(method, { maxLength: 3 }), value),
      authentication: fc.oneof(fc.array(fc.oneof(fc.constant("#key-1"), odd, method), { maxLength: 3 }), value),
      service: fc.oneof(fc.array(fc.record({ id: odd, type: odd, serviceEndpoint: fc.oneof(fc.webUrl(), odd, value) }), { maxLength: 3 }), value),
      alsoKnownAs: fc.oneof(fc.array(odd, { maxLength: 3 }), value),
    },
    { requiredKeys: ["id"] },
  );
}

describe("fuzzing the signed registry writes", () => {
  it("PUT /v1/registry/httpcg/{host} never answers 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(hostBody, async (body) => {
        const host = `f${crypto.randomUUID().slice(0, 8)}.example.com`;
        const res = await w.api.raw("PUT", `/v1/registry/httpcg/${host}`, body);
        const text = await res.text();
        expect(res.status, `${res.status} ${JSON.stringify(body)}: ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) expect((await get(`/v1/registry/httpcg/${host}`)).status).toBe(404);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("PUT /v1/dids/{did} never answers 5xx", async () => {
    const mb = encodeEd25519Multikey(w.signer.publicKey);
    await fc.assert(
      fc.asyncProperty(fc.constant(null).chain(() => {
        const did = `did:bpi:f${crypto.randomUUID().slice(0, 8)}`;
        return didBody(did, mb).map((doc) => ({ did, doc }));
      }), async ({ did, doc }) => {
        const res = await w.api.raw("PUT", `/v1/dids/${did}`, doc);
        const text = await res.text();
        expect(res.status, `${res.status} ${JSON.stringify(doc)}: ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) expect((await get(`/v1/dids/${did}`)).status).toBe(404);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
