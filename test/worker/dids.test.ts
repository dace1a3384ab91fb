import { describe, expect, it } from "vitest";
import { hashCanonical } from "../../protocol/hash.ts";
import { verifyAuditEntry } from "../../protocol/signed.ts";
import { syncSigner } from "../../durable-objects/shared/sync-signer.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { anon, didDocument, get, keyedWallet, uniqDid } from "./resolver-helpers.ts";

const CP = syncSigner(TEST_KEYS.controlPlane, "cp").address;
const path = (did: string) => `/v1/dids/${did}`;

describe("did:bpi registry", () => {
  it("creates a DID (201) when the signer holds one of the document's authentication keys", async () => {
    const alice = await keyedWallet();
    const did = uniqDid();
    const res = await alice.api.raw("PUT", path(did), didDocument(did, [alice.signer]));
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ did, didDocument: { id: did }, didDocumentMetadata: { versionId: "1" } });
    expect(body.didDocumentMetadata.created).toBe(body.didDocumentMetadata.updated);
    expect(await anon.get(path(did))).toEqual(body);
  });

  it("refuses a create signed by a key that is not in the document (403), and stores nothing", async () => {
    const alice = await keyedWallet();
    const mallory = await keyedWallet();
    const did = uniqDid();
    await expect(mallory.api.put(path(did), didDocument(did, [alice.signer]))).rejects.toMatchObject({ status: 403, problem: { field: "authentication" } });
    await expect(anon.get(path(did))).rejects.toMatchObject({ status: 404 });
  });

  it("updates only with a key of the current version; a key removed by an update loses control", async () => {
    const a = await keyedWallet();
    const b = await keyedWallet();
    const did = uniqDid();
    await a.api.put(path(did), didDocument(did, [a.signer]));
    // b is not a key of version 1, even if the new document lists it.
    await expect(b.api.put(path(did), didDocument(did, [b.signer]))).rejects.toMatchObject({ status: 403 });
    const v2 = await a.api.raw("PUT", path(did), didDocument(did, [b.signer]));
    expect(v2.status).toBe(200);
    expect(await v2.json()).toMatchObject({ didDocumentMetadata: { versionId: "2" } });
    await expect(a.api.put(path(did), didDocument(did, [a.signer]))).rejects.toMatchObject({ status: 403 });
    await b.api.put(path(did), didDocument(did, [a.signer, b.signer], { api: "https://v3.example.com" }));
    const { versions } = await anon.get<{ versions: any[] }>(`${path(did)}/versions`);
    expect(versions.map((v) => [v.versionId, v.actor])).toEqual([
      ["1", a.signer.address],
      ["2", a.signer.address],
      ["3", b.signer.address],
    ]);
  });

  it("keeps history: /1.0/identifiers resolves versionId and versionTime with next* metadata", async () => {
    const a = await keyedWallet();
    const did = uniqDid();
    await a.api.put(path(did), didDocument(did, [a.signer], { api: "https://v1.example.com" }));
    const v1 = await get(`/1.0/identifiers/${did}`);
    await new Promise((r) => setTimeout(r, 5));
    await a.api.put(path(did), didDocument(did, [a.signer], { api: "https://v2.example.com" }));
    const old = await get(`/1.0/identifiers/${did}?versionId=1`);
    expect(old.status).toBe(200);
    expect(old.body.didDocument.service[0].serviceEndpoint).toBe("https://v1.example.com");
    expect(old.body.didDocumentMetadata).toMatchObject({ versionId: "1", nextVersionId: "2" });
    const cur = await get(`/1.0/identifiers/${did}`);
    expect(cur.body.didDocumentMetadata).toMatchObject({ versionId: "2", created: v1.body.didDocumentMetadata.created });
    expect(cur.body.didDocumentMetadata.nextVersionId).toBeUndefined();
    const at = await get(`/1.0/identifiers/${did}?versionTime=${v1.body.didDocumentMetadata.updated}`);
    expect(at.body.didDocumentMetadata.versionId).toBe("1");
    expect((await get(`/1.0/identifiers/${did}?versionId=9`)).status).toBe(404);
    expect((await get(`/1.0/identifiers/${did}?versionTime=2000-01-01T00:00:00Z`)).status).toBe(404);
  });

  it("deactivates (signed by a current key): resolution answers 410, further changes are refused", async () => {
    const a = await keyedWallet();
    const stranger = await keyedWallet();
    const did = uniqDid();
    await a.api.put(path(did), didDocument(did, [a.signer]));
    await expect(stranger.api.delete(path(did))).rejects.toMatchObject({ status: 403 });
    const d = await a.api.delete<any>(path(did));
    expect(d.didDocumentMetadata).toMatchObject({ versionId: "2", deactivated: true });
    const r = await get(`/1.0/identifiers/${did}`);
    expect(r.status).toBe(410);
    expect(r.body.didDocumentMetadata.deactivated).toBe(true);
    await expect(a.api.put(path(did), didDocument(did, [a.signer]))).rejects.toMatchObject({ status: 410 });
    await expect(a.api.delete(path(did))).rejects.toMatchObject({ status: 410 });
  });

  it("audits create, update and deactivate in the DID's chain with the document hash", async () => {
    const a = await keyedWallet();
    const did = uniqDid();
    const doc1 = didDocument(did, [a.signer]);
    await a.api.put(path(did), doc1);
    await a.api.put(path(did), didDocument(did, [a.signer], { api: "https://x.example.com" }));
    await a.api.delete(path(did));
    const { entries } = await anon.get<{ entries: any[] }>(`${path(did)}/audit`);
    expect(entries.map((e) => [e.seq, e.event, e.cluster])).toEqual([
      [1, "DidCreated", `registry:${did}`],
      [2, "DidUpdated", `registry:${did}`],
      [3, "DidDeactivated", `registry:${did}`],
    ]);
    expect(entries[0].details).toEqual({ did, version_id: "1", document_hash: hashCanonical(doc1) });
    for (const e of entries) expect(await verifyAuditEntry(e, CP)).toMatchObject({ ok: true });
  });

  it.each([
    ["the id differs from the path", (did: string, w: any) => didDocument(`${did}x`, [w.signer]), 422, "id"],
    ["a document without authentication keys", (did: string) => ({ ...didDocument(did, []), authentication: [] }), 422, "authentication"],
    ["a key that is not Ed25519", (did: string, w: any) => ({ ...didDocument(did, [w.signer]), verificationMethod: [{ id: `${did}#key-1`, type: "Multikey", controller: did, publicKeyMultibase: "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme" }] }), 422, "verificationMethod[0]"],
    ["a reference to a missing key", (did: string, w: any) => ({ ...didDocument(did, [w.signer]), authentication: ["#nope"] }), 422, "authentication"],
    ["a service endpoint that is not a URL", (did: string, w: any) => didDocument(did, [w.signer], { api: "nope" }), 422, "service[0].serviceEndpoint"],
    ["no @context v1 first", (did: string, w: any) => ({ ...didDocument(did, [w.signer]), "@context": "https://example.com" }), 422, "@context"],
  ])("refuses %s", async (_what, make, status, field) => {
    const w = await keyedWallet();
    const did = uniqDid();
    await expect(w.api.put(path(did), make(did, w))).rejects.toMatchObject({ status, problem: { field } });
    await expect(anon.get(path(did))).rejects.toMatchObject({ status: 404 });
  });

  it.each(["did:bpi:ab", "did:bpi:UPPER", "did:key:z6Mkx", "did:bpi:" + "a".repeat(65), "notadid"])("refuses the DID %s in the path with 400", async (did) => {
    const w = await keyedWallet();
    await expect(w.api.put(path(did), didDocument(did, [w.signer]))).rejects.toMatchObject({ status: 400, problem: { field: "did" } });
  });

  it("refuses a lone surrogate (not I-JSON, so not hashable) with 422 naming the field", async () => {
    const w = await keyedWallet();
    const did = uniqDid();
    await expect(w.api.put(path(did), { ...didDocument(did, [w.signer]), alsoKnownAs: ["ok", "bad\ud800"] })).rejects.toMatchObject({ status: 422, problem: { field: "alsoKnownAs[1]" } });
  });

  it("refuses a document over 64 KiB with 413", async () => {
    const w = await keyedWallet();
    const did = uniqDid();
    const doc = { ...didDocument(did, [w.signer]), alsoKnownAs: Array.from({ length: 60 }, () => "https://x.example/" + "a".repeat(1200)) };
    await expect(w.api.put(path(did), doc)).rejects.toMatchObject({ status: 413 });
  });

  it("needs a signature to write", async () => {
    const did = uniqDid();
    await expect(anon.put(path(did), { id: did })).rejects.toMatchObject({ status: 401 });
    await expect(anon.delete(path(did))).rejects.toMatchObject({ status: 401 });
  });
});
