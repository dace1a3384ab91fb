// A NotaryDO stored before migration 0005 (receipts carrying block_height, leaf_index and
// tlog_index under two partial indexes) migrates to blocks that name their seq range, and
// answers every read exactly as before: receipts with their proofs, the notary's stats, the log's
// checkpoint, tiles and entries. Then it seals on, and the verifier proves the whole ledger.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import notaryMigrations from "../../durable-objects/notary/drizzle/migrations.js";
import { migrateDO } from "../../durable-objects/shared/migrate.ts";
import { verifyAppLedger } from "../../protocol/ledger-verify.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { describeSchema } from "./legacy-db.ts";
import { deployApp, joinNode, ledgerFlushed, newCluster, receiptChain, uniq, logSource } from "./helpers.ts";

const BLOCK_RANGES = notaryMigrations.journal.entries.find((e) => e.tag === "0005_block_ranges")!;

/** The migrations before 0005, as a bundle: what an older build ran. */
const before0005 = {
  journal: { ...notaryMigrations.journal, entries: notaryMigrations.journal.entries.filter((e) => e.idx < BLOCK_RANGES.idx) },
  migrations: notaryMigrations.migrations,
};

/**
 * Rewrites a NotaryDO's storage as the build before 0005 left it: each sealed receipt's row
 * carries its block, leaf and log index; blocks have no ranges; the partial indexes are back;
 * receipts have no leaf hash (0006); drizzle's books end at 0004. `withLog: false`: blocks sealed before the DO kept a log (no
 * tlog_index, no log tables' rows), as migration 0002 found them.
 */
function toOldLayout(storage: DurableObjectStorage, withLog = true): void {
  const sql = storage.sql;
  sql.exec(
    `UPDATE receipts SET block_height = b.height, leaf_index = receipts.seq - b.first_seq, tlog_index = ${withLog ? "b.tlog_start + receipts.seq - b.first_seq" : "NULL"}
     FROM blocks AS b WHERE receipts.seq BETWEEN b.first_seq AND b.last_seq`,
  );
  if (!withLog) for (const t of ["tlog_hashes", "tlog_checkpoints"]) sql.exec(`DELETE FROM ${t}`);
  sql.exec("DROP INDEX blocks_last_seq");
  sql.exec("DROP INDEX blocks_tlog_start");
  for (const c of ["first_seq", "last_seq", "tlog_start"]) sql.exec(`ALTER TABLE blocks DROP COLUMN ${c}`);
  // And before 0006: no leaf hash taken at admission (the pending rows then seal from their bodies).
  sql.exec("ALTER TABLE receipts DROP COLUMN leaf_hash");
  sql.exec("CREATE INDEX receipts_pending ON receipts (seq) WHERE block_height IS NULL");
  sql.exec("CREATE UNIQUE INDEX receipts_tlog ON receipts (tlog_index) WHERE tlog_index IS NOT NULL");
  sql.exec("DELETE FROM __drizzle_migrations WHERE created_at >= ?", BLOCK_RANGES.when);
}

async function sealedApp() {
  const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 3, max_block_window_s: 300 } });
  const node = await joinNode(owner.api, name);
  const { container } = await deployApp(owner.api, name, "web");
  // Blocks 1 and 2 of three receipts each; two pending.
  const chain = await receiptChain(node.signer, name, "web", container, 8);
  await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: chain });
  await ledgerFlushed(name, "web");
  const prefix = `/v1/clusters/${name}/apps/web/log`;
  const bytes = async (path: string) => {
    const res = await owner.api.raw("GET", `${prefix}/${path}`);
    return { status: res.status, bytes: [...new Uint8Array(await res.arrayBuffer())] };
  };
  /** Everything a client can read of the app's receipts, blocks and log. */
  const read = async () => ({
    receipts: await Promise.all(chain.map((r) => owner.api.get(`/v1/receipts/${r.hash}`))),
    notary: await owner.api.get(`/v1/clusters/${name}/apps/web/notary`),
    blocks: await owner.api.get(`/v1/clusters/${name}/apps/web/blocks`),
    info: await owner.api.get(`${prefix}/`),
    checkpoint: await (await owner.api.raw("GET", `${prefix}/checkpoint`)).text(),
    tiles: [await bytes("tile/0/000.p/6"), await bytes("tile/entries/000.p/6"), await bytes("tile/0/000.p/7")],
  });
  const appSource = {
    blocks: async (from: number, limit: number) => (await owner.api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${name}/apps/web/blocks?from_height=${from}&limit=${limit}`)).blocks,
    blockReceipts: async (h: number) => (await owner.api.get<{ receipts: StepReceipt[] }>(`/v1/clusters/${name}/apps/web/blocks/${h}/receipts`)).receipts,
    log: { source: logSource(owner.api, prefix), cluster: name, app: "web" },
  };
  return { name, owner, node, chain, read, appSource, stub: env.NOTARY.get(env.NOTARY.idFromName(`${name}/web`)) };
}

describe("NotaryDO storage before migration 0005 (block placement on each receipt)", () => {
  it("the rewritten database is the old layout: the schema migrations 0000–0004 make", async () => {
    const { stub } = await sealedApp();
    const old = await runInDurableObject(env.NOTARY.get(env.NOTARY.idFromName(uniq("old/web"))), async (_i, state) => {
      await migrateDO(state.storage, { bundle: before0005, legacy: [] });
      return describeSchema(state.storage.sql);
    });
    const rewritten = await runInDurableObject(stub, (_i, state) => {
      toOldLayout(state.storage);
      return describeSchema(state.storage.sql);
    });
    expect(rewritten).toEqual(old);
    expect(JSON.stringify(old)).toContain("block_height");
  });

  it("migrates its rows to block ranges, answers every read as before, seals on, and the ledger verifies", async () => {
    const { name, owner, node, chain, read, appSource, stub } = await sealedApp();
    const before = await read();
    expect(before.notary).toMatchObject({ pending_receipts: 2, current_height: 2 });
    expect(before.receipts[4]).toMatchObject({ inclusion: { height: 2, leaf_index: 1 }, tlog_inclusion: { index: 4, size: 6 } });

    await runInDurableObject(stub, (_i, state) => {
      toOldLayout(state.storage);
      expect(state.storage.sql.exec("SELECT seq, block_height, leaf_index, tlog_index FROM receipts ORDER BY seq").toArray()).toEqual(
        [1, 2, 3, 4, 5, 6, 7, 8].map((seq) => ({ seq, block_height: seq <= 6 ? Math.ceil(seq / 3) : null, leaf_index: seq <= 6 ? (seq - 1) % 3 : null, tlog_index: seq <= 6 ? seq - 1 : null })),
      );
    });
    await evictDurableObject(stub);

    expect(await read()).toEqual(before);
    expect(
      await runInDurableObject(stub, (_i, state) => ({
        blocks: state.storage.sql.exec("SELECT height, first_seq, last_seq, tlog_start FROM blocks ORDER BY height").toArray(),
        applied: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM __drizzle_migrations").one().n,
      })),
    ).toEqual({
      blocks: [
        { height: 1, first_seq: 1, last_seq: 3, tlog_start: 0 },
        { height: 2, first_seq: 4, last_seq: 6, tlog_start: 3 },
      ],
      applied: notaryMigrations.journal.entries.length,
    });

    // The two pending receipts seal into block 3; four more make block 4 and leave one pending.
    const sealed = await owner.api.raw("POST", `/v1/clusters/${name}/apps/web/seal`);
    expect(((await sealed.json()) as { block: LogBlock }).block).toMatchObject({ height: 3, count: 2, tlog: { size: 8 } });
    const more = await receiptChain(node.signer, name, "web", chain[0].container, 4, chain.at(-1)!.hash);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: more });
    await ledgerFlushed(name, "web");
    expect(await owner.api.get(`/v1/clusters/${name}/apps/web/notary`)).toMatchObject({ pending_receipts: 1, current_height: 4 });
    expect(await owner.api.get(`/v1/receipts/${more[2].hash}`)).toMatchObject({ inclusion: { height: 4, leaf_index: 2, tree_size: 3 }, tlog_inclusion: { index: 10, size: 11 } });
    expect(await owner.api.get(`/v1/receipts/${more[3].hash}`)).not.toHaveProperty("tlog_inclusion");
    const keys = await owner.api.get<{ notary: string }>("/v1/keys");
    const report = await verifyAppLedger(appSource, keys.notary);
    expect(report.problems).toEqual([]);
    expect(report.log).toMatchObject({ size: 11, proved: 11 });
  });

  it("blocks sealed before the DO kept a log: the next seal appends them first, at the indexes their ranges give", async () => {
    const { name, owner, chain, appSource, stub } = await sealedApp();
    await runInDurableObject(stub, (_i, state) => toOldLayout(state.storage, false));
    await evictDurableObject(stub);
    expect(await owner.api.get(`/v1/clusters/${name}/apps/web/notary`)).toMatchObject({ pending_receipts: 2, current_height: 2 });
    const sealed = await owner.api.raw("POST", `/v1/clusters/${name}/apps/web/seal`);
    expect(((await sealed.json()) as { block: LogBlock }).block).toMatchObject({ height: 3, count: 2, tlog: { size: 8 } });
    for (const [i, r] of chain.entries()) expect(await owner.api.get(`/v1/receipts/${r.hash}`)).toMatchObject({ tlog_inclusion: { index: i, size: 8 } });
    const keys = await owner.api.get<{ notary: string }>("/v1/keys");
    const report = await verifyAppLedger(appSource, keys.notary);
    expect(report.problems).toEqual([]);
    expect(report.log).toMatchObject({ size: 8, proved: 8 });
  });
});
