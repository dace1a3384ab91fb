// Signed chain heads (issue 10, finding 2): D1 only mirrors the chains the DOs write, so rows
// deleted there must show up as missing against the head the DO signs from its own storage.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { verifyChainHead, type ChainHead } from "../../protocol/head.ts";
import { verifyAppLedger, verifyAuditHistory, type AppLedgerSource } from "../../protocol/ledger-verify.ts";
import { routes } from "../../protocol/routes.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { logBlockHash } from "../../protocol/signed.ts";
import { BASE, deployApp, joinNode, newCluster, receiptChain, wallet, workerFetch } from "./helpers.ts";

const source = (api: ApiClient, cluster: string, app: string): AppLedgerSource => ({
  blocks: async (from, limit) => (await api.get<{ blocks: LogBlock[] }>(`${routes.blocks(cluster, app)}?from_height=${from}&limit=${limit}`)).blocks,
  blockReceipts: async (h) => (await api.get<{ receipts: StepReceipt[] }>(routes.blockReceipts(cluster, app, h))).receipts,
});

type Keys = { notary: string; control_plane: string };

/** What an attacker with write access to D1 does: drop the append-only guards, delete, restore them. */
async function deleteFromD1(...statements: [string, ...unknown[]][]): Promise<void> {
  const guards = await env.LEDGER.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_delete'").all<{ name: string; sql: string }>();
  for (const g of guards.results) await env.LEDGER.exec(`DROP TRIGGER ${g.name}`);
  try {
    for (const [sql, ...binds] of statements) await env.LEDGER.prepare(sql).bind(...binds).run();
  } finally {
    for (const g of guards.results) await env.LEDGER.exec(g.sql.replace(/\s*\n\s*/g, " "));
  }
}

async function sealedApp(blocks: number) {
  const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 2, max_block_window_s: 300 } });
  const node = await joinNode(owner.api, name);
  await node.api.post(routes.receipts(name), { receipts: await receiptChain(node.signer, name, "web", (await deployApp(owner.api, name, "web")).container, blocks * 2) });
  const keys = await owner.api.get<Keys>(routes.keys());
  return { name, owner, keys };
}

describe("signed chain heads", () => {
  it("the notary signs the app's head and the control plane the audit head; both verify against /v1/keys", async () => {
    const { name, owner, keys } = await sealedApp(2);
    const head = await owner.api.get<ChainHead>(routes.appHead(name, "web"));
    expect(head).toMatchObject({ v: 1, kind: "log", cluster: name, app: "web", size: 2, signer: keys.notary });
    expect(await verifyChainHead(head, { kind: "log", cluster: name, app: "web", signer: keys.notary })).toEqual({ ok: true });
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(routes.blocks(name, "web"));
    expect(head.head_hash).toBe(logBlockHash(blocks[1]));
    // A head is bound to its chain and its key: another app's, or the other key, does not pass.
    expect((await verifyChainHead(head, { kind: "log", cluster: name, app: "api", signer: keys.notary })).ok).toBe(false);
    expect((await verifyChainHead(head, { kind: "log", cluster: name, app: "web", signer: keys.control_plane })).ok).toBe(false);
    expect((await verifyChainHead({ ...head, size: 3 }, { kind: "log", cluster: name, app: "web", signer: keys.notary })).ok).toBe(false);

    const empty = await owner.api.get<ChainHead>(routes.appHead(name, "never"));
    expect(empty).toMatchObject({ size: 0, head_hash: GENESIS, signer: keys.notary });

    const ah = await owner.api.get<ChainHead>(routes.auditHead(name));
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`${routes.audit(name)}?limit=1000`);
    expect(ah).toMatchObject({ kind: "audit", cluster: name, size: entries.at(-1)!.seq, head_hash: entries.at(-1)!.hash, signer: keys.control_plane });
    expect(await verifyChainHead(ah, { kind: "audit", cluster: name, signer: keys.control_plane })).toEqual({ ok: true });
  });

  it("heads have the ledger reads' visibility: unsigned 401, strangers refused", async () => {
    const { name } = await sealedApp(1);
    const stranger = await wallet();
    for (const path of [routes.appHead(name, "web"), routes.auditHead(name)]) {
      expect((await workerFetch(new Request(BASE + path))).status).toBe(401);
      const refused = await stranger.api.get(path).then(() => null, (e: { status?: number }) => e.status);
      expect([403, 404]).toContain(refused);
    }
  });

  it("deleting the last block, or a whole app's blocks, from D1 is reported as missing", async () => {
    const { name, owner, keys } = await sealedApp(3);
    const verify = async () => {
      const head = await owner.api.get<ChainHead>(routes.appHead(name, "web"));
      return verifyAppLedger(source(owner.api, name, "web"), keys.notary, undefined, { head, cluster: name, app: "web" });
    };
    expect((await verify()).problems).toEqual([]);

    await deleteFromD1(["DELETE FROM blocks WHERE cluster = ? AND app = 'web' AND height = 3", name], ["DELETE FROM receipts WHERE cluster = ? AND app = 'web' AND block_height = 3", name]);
    const last = await verify();
    expect(last.blocks).toBe(2);
    expect(last.problems).toEqual([{ where: "block 3", problem: expect.stringMatching(/^missing: the notary's signed head is at height 3 .* the ledger ends at 2$/) }]);

    await deleteFromD1(["DELETE FROM blocks WHERE cluster = ? AND app = 'web'", name], ["DELETE FROM receipts WHERE cluster = ? AND app = 'web'", name]);
    const all = await verify();
    expect(all.problems).toEqual([{ where: "blocks 1–3", problem: expect.stringMatching(/^missing: .* the ledger holds none$/) }]);
  });

  it("deleting the last audit entries from D1 is reported as missing", async () => {
    const { name, owner, keys } = await sealedApp(1);
    const verify = async () => {
      const head = await owner.api.get<ChainHead>(routes.auditHead(name));
      const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`${routes.audit(name)}?limit=1000`);
      return { head, ...(await verifyAuditHistory(entries, keys.control_plane, { head, cluster: name })) };
    };
    const before = await verify();
    expect(before.problems).toEqual([]);
    const n = before.head.size;
    await deleteFromD1(["DELETE FROM audit_entries WHERE cluster = ? AND seq >= ?", name, n - 1]);
    const after = await verify();
    expect(after.problems).toEqual([{ where: `audit seq ${n - 1}–${n}`, problem: expect.stringMatching(/^missing: the control plane's signed head is at seq/) }]);
  });

  it("a pinned head exposes a later rollback or rewrite", async () => {
    const { name, owner, keys } = await sealedApp(2);
    const head = await owner.api.get<ChainHead>(routes.appHead(name, "web"));
    const run = (pin: ChainHead) => verifyAppLedger(source(owner.api, name, "web"), keys.notary, undefined, { head, pin, cluster: name, app: "web" });
    expect((await run(head)).problems).toEqual([]);
    // A head pinned further along than what is served now: the chain was rolled back.
    const ahead = { ...head, size: 5 };
    expect((await run(ahead)).problems).toEqual([{ where: "signed head", problem: expect.stringMatching(/^rollback: /) }]);
    // A pin at height 1 whose hash is not block 1's: history before the head was rewritten.
    const other = { ...head, size: 1, head_hash: "blake3:" + "ab".repeat(32) };
    expect((await run(other)).problems).toEqual([{ where: "block 1", problem: expect.stringMatching(/^rewrite: /) }]);
  });
});
