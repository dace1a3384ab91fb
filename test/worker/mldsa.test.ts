// ML-DSA-65 co-signatures (PROTOCOL.md §15) in workerd: a quantum-safe cluster's sealed blocks and
// audit entries carry valid co-signatures by the keys at /v1/keys, checked by the protocol
// verifier; a co-signature tampered with or removed in D1 is reported.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import type { Cluster } from "../../protocol/api/cluster.ts";
import type { NotaryStats } from "../../protocol/api/notary.ts";
import type { ChainHead } from "../../protocol/head.ts";
import { signaturesChecked, verifyAppLedger, verifyAuditHistory, type AppLedgerSource, type MldsaCheck } from "../../protocol/ledger-verify.ts";
import { fromHex } from "../../protocol/bytes.ts";
import { mldsaPublicKeyFromSeed, mldsaPublicKeyToText, mldsaSigToText, textToMldsaPublicKey, textToMldsaSig } from "../../protocol/mldsa.ts";
import { routes } from "../../protocol/routes.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { verifyAuditEntryMldsa, verifyLogBlock, verifyLogBlockMldsa } from "../../protocol/signed.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { deployApp, joinNode, newCluster, receiptChain, wallet } from "./helpers.ts";

type Keys = { notary: string; control_plane: string; notary_mldsa: string; control_plane_mldsa: string };

const source = (api: ApiClient, cluster: string, app: string): AppLedgerSource => ({
  blocks: async (from, limit) => (await api.get<{ blocks: LogBlock[] }>(`${routes.blocks(cluster, app)}?from_height=${from}&limit=${limit}`)).blocks,
  blockReceipts: async (h) => (await api.get<{ receipts: StepReceipt[] }>(routes.blockReceipts(cluster, app, h))).receipts,
});

/** What an attacker with write access to D1 does: drop the append-only guards, edit, restore them. */
async function editD1(table: string, sql: string, ...binds: unknown[]): Promise<void> {
  const guards = await env.LEDGER.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?").bind(table).all<{ name: string; sql: string }>();
  for (const g of guards.results) await env.LEDGER.exec(`DROP TRIGGER ${g.name}`);
  try {
    await env.LEDGER.prepare(sql).bind(...binds).run();
  } finally {
    for (const g of guards.results) await env.LEDGER.exec(g.sql.replace(/\s*\n\s*/g, " "));
  }
}

/** A cluster with `blocks` sealed blocks of two receipts in app "web". */
async function sealedApp(config: Record<string, unknown>, blocks: number) {
  const { name, owner } = await newCluster({ ...config, notary: { max_receipts_per_block: 2, max_block_window_s: 300 } });
  const node = await joinNode(owner.api, name);
  const { container } = await deployApp(owner.api, name, "web");
  const chain = await receiptChain(node.signer, name, "web", container, blocks * 2);
  if (blocks) await node.api.post(routes.receipts(name), { receipts: chain });
  const keys = await owner.api.get<Keys>(routes.keys());
  return { name, owner, node, container, chain, keys };
}

async function ledger(api: ApiClient, name: string, keys: Keys, opts: { require?: boolean } = {}) {
  const head = await api.get<ChainHead>(routes.appHead(name, "web"));
  const stats = await api.get<NotaryStats>(routes.notary(name, "web"));
  const mldsa: MldsaCheck = { publicKey: textToMldsaPublicKey(keys.notary_mldsa), requiredFrom: opts.require ? 1 : stats.mldsa_from_height };
  return verifyAppLedger(source(api, name, "web"), keys.notary, undefined, { head, cluster: name, app: "web" }, undefined, mldsa);
}

async function auditChain(api: ApiClient, name: string, keys: Keys) {
  const head = await api.get<ChainHead>(routes.auditHead(name));
  const { entries } = await api.get<{ entries: AuditEntry[] }>(`${routes.audit(name)}?limit=1000`);
  const { cluster } = await api.get<{ cluster: Cluster }>(routes.cluster(name));
  const mldsa = { publicKey: textToMldsaPublicKey(keys.control_plane_mldsa), quantumSafe: cluster.config.quantum_safe };
  return { entries, ...(await verifyAuditHistory(entries, keys.control_plane, { head, cluster: name }, mldsa)) };
}

describe("ML-DSA-65 co-signatures", () => {
  it("GET /v1/keys publishes both ML-DSA-65 public keys, derived from the seed secrets", async () => {
    const { owner } = await newCluster();
    const keys = await owner.api.get<Keys>(routes.keys());
    expect(keys.notary_mldsa).toBe(mldsaPublicKeyToText(mldsaPublicKeyFromSeed(fromHex(TEST_KEYS.notaryMldsa))));
    expect(keys.control_plane_mldsa).toBe(mldsaPublicKeyToText(mldsaPublicKeyFromSeed(fromHex(TEST_KEYS.controlPlaneMldsa))));
    expect(keys.notary_mldsa).not.toBe(keys.control_plane_mldsa);
  });

  it("a quantum-safe cluster's blocks and audit entries carry both signatures; the verifier checks both", async () => {
    const { name, owner, keys } = await sealedApp({ quantum_safe: true }, 3);
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(routes.blocks(name, "web"));
    expect(blocks).toHaveLength(3);
    for (const b of blocks) {
      expect(b.sig_notary_mldsa).toMatch(/^ml-dsa-65:/);
      expect(textToMldsaSig(b.sig_notary_mldsa!)).toHaveLength(3309);
      expect(await verifyLogBlock(b, keys.notary)).toEqual({ ok: true });
      expect(await verifyLogBlockMldsa(b, textToMldsaPublicKey(keys.notary_mldsa))).toEqual({ ok: true });
      // Not by the control plane's ML-DSA key: each key signs its own objects.
      expect((await verifyLogBlockMldsa(b, textToMldsaPublicKey(keys.control_plane_mldsa))).ok).toBe(false);
    }
    expect((await owner.api.get<NotaryStats>(routes.notary(name, "web"))).mldsa_from_height).toBe(1);
    const report = await ledger(owner.api, name, keys);
    expect(report).toMatchObject({ blocks: 3, receipts: 6, problems: [], mldsa: { checked: 3, unchecked: 0 } });
    expect(signaturesChecked(report.blocks, report.mldsa)).toBe("ed25519 + ml-dsa-65");

    const audit = await auditChain(owner.api, name, keys);
    expect(audit.problems).toEqual([]);
    expect(audit.entries.map((e) => e.event)).toEqual(expect.arrayContaining(["ClusterCreated", "NodeAdded", "LogBlockSealed"]));
    for (const e of audit.entries) expect(await verifyAuditEntryMldsa(e, textToMldsaPublicKey(keys.control_plane_mldsa))).toEqual({ ok: true });
    expect(audit.mldsa.checked).toBe(audit.entries.length);
    expect(signaturesChecked(audit.checked, audit.mldsa)).toBe("ed25519 + ml-dsa-65");
  });

  it("a cluster that is not quantum-safe gets Ed25519 only, and the verifier says so", async () => {
    const { name, owner, keys } = await sealedApp({}, 1);
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(routes.blocks(name, "web"));
    expect(blocks[0].sig_notary_mldsa).toBeUndefined();
    expect((await owner.api.get<NotaryStats>(routes.notary(name, "web"))).mldsa_from_height).toBeUndefined();
    const report = await ledger(owner.api, name, keys);
    expect(report.problems).toEqual([]);
    expect(signaturesChecked(report.blocks, report.mldsa)).toBe("ed25519 only");
    const audit = await auditChain(owner.api, name, keys);
    expect(audit.problems).toEqual([]);
    expect(audit.entries.every((e) => e.sig_mldsa === undefined)).toBe(true);
    expect(signaturesChecked(audit.checked, audit.mldsa)).toBe("ed25519 only");
    // A verifier that requires ML-DSA refuses it.
    expect((await ledger(owner.api, name, keys, { require: true })).problems).toEqual([{ where: "block 1", problem: expect.stringMatching(/no ML-DSA-65 co-signature/) }]);
  });

  it("a tampered or removed co-signature in D1 fails verification", async () => {
    const { name, owner, keys } = await sealedApp({ quantum_safe: true }, 3);
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(routes.blocks(name, "web"));
    // Block 2: one bit of the ML-DSA signature flipped (the Ed25519 one still verifies).
    const sig = textToMldsaSig(blocks[1].sig_notary_mldsa!);
    sig[1000] ^= 0x10;
    await editD1("blocks", "UPDATE blocks SET body = ? WHERE cluster = ? AND app = 'web' AND height = 2", JSON.stringify({ ...blocks[1], sig_notary_mldsa: mldsaSigToText(sig) }), name);
    // Block 1: the co-signature removed (the block hash leaves it out, so the chain still links).
    const { sig_notary_mldsa: _m, ...stripped } = blocks[0];
    await editD1("blocks", "UPDATE blocks SET body = ? WHERE cluster = ? AND app = 'web' AND height = 1", JSON.stringify(stripped), name);
    const report = await ledger(owner.api, name, keys);
    expect(report.problems).toEqual([
      { where: "block 1", problem: expect.stringMatching(/no ML-DSA-65 co-signature, but the notary co-signs every block from 1 on/) },
      { where: "block 2", problem: expect.stringMatching(/ML-DSA-65 co-signature sig_notary_mldsa does not verify for notary_mldsa/) },
    ]);
    expect(report.mldsa).toEqual({ checked: 2, unchecked: 0 });

    // Audit: one entry's co-signature removed, another's replaced by a signature over other bytes.
    const { entries } = await auditChain(owner.api, name, keys);
    const [, second, third] = entries;
    const { sig_mldsa: _s, ...bare } = second;
    await editD1("audit_entries", "UPDATE audit_entries SET body = ? WHERE hash = ?", JSON.stringify(bare), second.hash);
    await editD1("audit_entries", "UPDATE audit_entries SET body = ? WHERE hash = ?", JSON.stringify({ ...third, sig_mldsa: blocks[2].sig_notary_mldsa }), third.hash);
    const audit = await auditChain(owner.api, name, keys);
    expect(audit.problems).toEqual([
      { where: `audit seq ${second.seq}`, problem: expect.stringMatching(/no ML-DSA-65 co-signature, but audit seq 1 before it has one/) },
      { where: `audit seq ${third.seq}`, problem: expect.stringMatching(/does not verify for control_plane_mldsa/) },
    ]);
  });

  it("removing every audit co-signature of a quantum-safe cluster is reported", async () => {
    const { name, owner, keys } = await sealedApp({ quantum_safe: true }, 0);
    const { entries } = await auditChain(owner.api, name, keys);
    for (const e of entries) {
      const { sig_mldsa: _s, ...bare } = e;
      await editD1("audit_entries", "UPDATE audit_entries SET body = ? WHERE hash = ?", JSON.stringify(bare), e.hash);
    }
    const audit = await auditChain(owner.api, name, keys);
    expect(audit.problems).toEqual([{ where: "audit chain", problem: "the cluster is quantum_safe, but no entry carries an ML-DSA-65 co-signature" }]);
  });

  it("quantum_safe raised later (admins only, idempotent): co-signed from the raise on", async () => {
    const { name, owner, node, container, chain, keys } = await sealedApp({}, 1);
    const raised = await owner.api.post<{ cluster: Cluster }>(routes.quantumSafe(name), {});
    expect(raised.cluster.config.quantum_safe).toBe(true);
    // Idempotent: already on, no second entry.
    const before = (await auditChain(owner.api, name, keys)).entries.length;
    await owner.api.post(routes.quantumSafe(name), {});
    expect((await auditChain(owner.api, name, keys)).entries.length).toBe(before);
    // A viewer cannot raise it.
    const viewer = await wallet();
    await owner.api.post(routes.roles(name), { address: viewer.signer.address, role: "viewer" });
    const refused = await viewer.api.post(routes.quantumSafe(name), {}).then(() => 200, (e: { status?: number }) => e.status);
    expect(refused).toBe(403);
    const more = await receiptChain(node.signer, name, "web", container, 2, chain.at(-1)!.hash);
    await node.api.post(routes.receipts(name), { receipts: more });
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(routes.blocks(name, "web"));
    expect(blocks.map((b) => b.sig_notary_mldsa !== undefined)).toEqual([false, true]);
    expect((await owner.api.get<NotaryStats>(routes.notary(name, "web"))).mldsa_from_height).toBe(2);
    const report = await ledger(owner.api, name, keys);
    expect(report.problems).toEqual([]);
    expect(signaturesChecked(report.blocks, report.mldsa)).toBe("ed25519 on all, ml-dsa-65 on 1 of 2");

    const audit = await auditChain(owner.api, name, keys);
    expect(audit.problems).toEqual([]);
    const first = audit.entries.find((e) => e.sig_mldsa !== undefined)!;
    expect(first).toMatchObject({ event: "QuantumSafeEnabled", details: { quantum_safe: true } });
    // A cluster setting: in the audit chain, not in the workload/node event stream.
    const { events } = await owner.api.get<{ events: { kind: string }[] }>(routes.events(name));
    expect(events.map((e) => e.kind)).not.toContain("quantum_safe_enabled");
    expect(audit.entries.filter((e) => e.seq > first.seq).every((e) => e.sig_mldsa !== undefined)).toBe(true);
    // Stripping the raising entry's co-signature moves the boundary: reported.
    const { sig_mldsa: _s, ...bare } = first;
    await editD1("audit_entries", "UPDATE audit_entries SET body = ? WHERE hash = ?", JSON.stringify(bare), first.hash);
    expect((await auditChain(owner.api, name, keys)).problems).toEqual([
      { where: `audit seq ${first.seq + 1}`, problem: expect.stringMatching(/not the one that turned quantum_safe on/) },
    ]);
  });

  it("config.quantum_safe must be a boolean: a 422 problem naming the field, nothing created", async () => {
    const { owner } = await newCluster();
    const name = `qs-${crypto.randomUUID().slice(0, 8)}`;
    const res = await owner.api.post("/v1/clusters", { name, config: { quantum_safe: "yes" } }).then(
      () => null,
      (e: { status?: number; problem?: { field?: string } }) => e,
    );
    expect(res?.status).toBe(422);
    expect(res?.problem?.field).toBe("config.quantum_safe");
    const gone = await owner.api.get(routes.cluster(name)).then(() => 200, (e: { status?: number }) => e.status);
    expect(gone).toBe(404);
  });
});
