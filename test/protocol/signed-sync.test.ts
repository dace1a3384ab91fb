// The synchronous signers the Durable Objects sign with give the vectors' bytes, as the async
// ones do; the desired state signs and checks through the one protocol module.
import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import {
  checkDesiredState, fromHex, hashAuditEntry, signAuditEntrySync, signAuditEntrySyncWithText, signDesiredState, signDesiredStateSync, signerFromHex, signLogBlockSync,
  syncSignerFromSeed, verifyAuditEntry, verifyLogBlock, type AuditEntry, type AuditEntryFields, type DesiredStateFields, type LogBlock,
} from "../../protocol/index.ts";
import { canonicalize } from "../../protocol/jcs.ts";
import { mldsaSyncSignerFromSeed } from "../../protocol/mldsa.ts";

const [nodeKey, notaryKey, cpKey] = vectors.keys;
const sync = (seed: string) => syncSignerFromSeed(fromHex(seed));

describe("synchronous signing", () => {
  it("a sync signer has the async signer's address and signatures", async () => {
    const msg = new Uint8Array([1, 2, 3]);
    const a = await signerFromHex(cpKey.seed);
    const s = sync(cpKey.seed);
    expect(s.address).toBe(cpKey.address);
    expect(s.sign(msg)).toEqual(await a.sign(msg));
  });

  it("signAuditEntrySync reproduces the vector entry", async () => {
    const entry = vectors.audit_entry as unknown as AuditEntry;
    const { hash: _h, sig: _s, ...body } = entry;
    const signed = signAuditEntrySync(body as AuditEntryFields, sync(cpKey.seed));
    expect(signed).toEqual(entry);
    expect(await verifyAuditEntry(signed, cpKey.address)).toEqual({ ok: true });
  });

  it("signAuditEntrySyncWithText: the vector entry, and its JCS text from the one canonicalisation", async () => {
    const entry = vectors.audit_entry as unknown as AuditEntry;
    const { hash: _h, sig: _s, ...body } = entry;
    const out = signAuditEntrySyncWithText(body as AuditEntryFields, sync(cpKey.seed));
    expect(out.entry).toEqual(entry);
    expect(out.canonical).toBe(canonicalize(entry));
    // A placement-sized entry with floats, nested objects, escapes, a non-ASCII key, a stale
    // hash/sig on the input, and an ML-DSA co-signature (randomised: checked against itself).
    const big = {
      ...(body as AuditEntryFields),
      event: "ResourceAllocation" as const,
      details: {
        workload: "w\"0\n", "zöne": "é", algorithm: "resource_based", resources: { cpu_millis: 250, storage_gb: 0.5 },
        allocations: Array.from({ length: 100 }, (_, i) => ({ replica: `w0-${i}`, node: `n-${i % 7}`, scores: { total: i / 3, spread: -0, zone: 1e21 + i } })),
      },
      hash: "blake3:stale",
      sig: "ed25519:stale",
    };
    const mldsa = mldsaSyncSignerFromSeed(new Uint8Array(32).fill(7));
    for (const co of [undefined, mldsa]) {
      const { entry: e, canonical } = signAuditEntrySyncWithText(big, sync(cpKey.seed), co);
      expect(canonical).toBe(canonicalize(e));
      expect(e.hash).toBe(hashAuditEntry(e));
      expect(e.sig).toBe(signAuditEntrySync(big, sync(cpKey.seed)).sig);
      expect(e.sig_mldsa !== undefined).toBe(co !== undefined);
      expect(await verifyAuditEntry(e, cpKey.address)).toEqual({ ok: true });
    }
  });

  it("signLogBlockSync reproduces the vector block, and refuses another notary", async () => {
    const block = vectors.log_block.block as unknown as LogBlock;
    const { sig_notary: _s, ...body } = block;
    const signed = signLogBlockSync(body, sync(notaryKey.seed));
    expect(signed).toEqual(block);
    expect(await verifyLogBlock(signed, notaryKey.address)).toEqual({ ok: true });
    expect(() => signLogBlockSync(body, sync(nodeKey.seed))).toThrow(/not the signer/);
  });
});

describe("desired state", () => {
  const body = (): DesiredStateFields => ({
    v: 1,
    cluster: "c1",
    node: nodeKey.address,
    version: 3,
    issued_at: "2026-01-15T10:00:00.000Z",
    replicas: [{ id: "web.1", workload: "web", replica_type: "primary", spec: { name: "web", image: "oci:/img" } as DesiredStateFields["replicas"][number]["spec"] }],
    replays: [],
  });
  const expectFor = { cluster: "c1", node: nodeKey.address, controlPlane: cpKey.address };

  it("sync and async signing agree, and the agent's check accepts it", async () => {
    const s = signDesiredStateSync(body(), sync(cpKey.seed));
    expect(await signDesiredState(body(), await signerFromHex(cpKey.seed))).toEqual(s);
    const r = await checkDesiredState(s, expectFor);
    expect(r.ok && r.state.replicas.map((x) => x.id)).toEqual(["web.1"]);
  });

  it("refuses a changed body, another key and another addressee", async () => {
    const s = signDesiredStateSync(body(), sync(cpKey.seed));
    expect(await checkDesiredState({ ...s, version: 4 }, expectFor)).toMatchObject({ ok: false, reason: /hash does not match/ });
    expect(await checkDesiredState(signDesiredStateSync(body(), sync(notaryKey.seed)), expectFor)).toMatchObject({ ok: false, reason: /not by the pinned/ });
    expect(await checkDesiredState(s, { ...expectFor, cluster: "c2" })).toMatchObject({ ok: false, reason: /addressed to cluster/ });
  });
});
