// The C2SP logs of PROTOCOL.md §6 in workerd, against real DO SQLite and D1: each seal signs a
// checkpoint the LogBlock binds; checkpoint, tiles and entry bundles are served as tlog-tiles
// clients read them; the audit chain is a log too; the verifier proves every entry from tiles.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { canonicalize, decodeAddress, signerFromHex, fromBase64, fromUtf8, toBase64, utf8, type ApiClient } from "../../protocol/index.ts";
import {
  ALG_ED25519, checkpointBody, textToRoot, signNoteEd25519, decodeEntryBundle, encodeVkey, openNoteEd25519, parseCheckpoint, proveConsistency, rootToText, tileHashReader,
  tileHashes, tlogLeafHash, treeRoot, verifyTlogConsistency, verifyTlogInclusion, rootOfLeafHashes,
} from "../../protocol/c2sp/index.ts";
import { verifyAppLedger, verifyAuditHistory } from "../../protocol/ledger-verify.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { notaryName } from "../../domain/notary/identity.ts";
import { failureKind, REPEAT_LOG_MS, shouldReport } from "../../domain/witness/failure-log.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { isoNow } from "../../protocol/time.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { WitnessDesk } from "../../durable-objects/shared/witness-desk.ts";
import { verifyThenAdmit } from "../../workers/lib/notary-admit.ts";
import { BASE, deployApp, joinNode, newCluster, receiptChain, wallet, workerFetch, logSource } from "./helpers.ts";

const get = (path: string, init?: RequestInit) => workerFetch(new Request(BASE + path, init));

const appSource = (api: ApiClient, cluster: string, app: string) => ({
  blocks: async (from: number, limit: number) => (await api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${cluster}/apps/${app}/blocks?from_height=${from}&limit=${limit}`)).blocks,
  blockReceipts: async (h: number) => (await api.get<{ receipts: StepReceipt[] }>(`/v1/clusters/${cluster}/apps/${app}/blocks/${h}/receipts`)).receipts,
  log: { source: logSource(api, `/v1/clusters/${cluster}/apps/${app}/log`), cluster, app },
});

async function sealedApp(config: Record<string, unknown>, n: number, perBlock = 3) {
  const { name, owner } = await newCluster({ notary: { max_receipts_per_block: perBlock, max_block_window_s: 300 }, ...config });
  const node = await joinNode(owner.api, name);
  const { container } = await deployApp(owner.api, name, "web");
  const chain = await receiptChain(node.signer, name, "web", container, n);
  for (let i = 0; i < n; i += 500) await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: chain.slice(i, i + 500) });
  await owner.api.raw("POST", `/v1/clusters/${name}/apps/web/seal`);
  const keys = await owner.api.get<{ notary: string; control_plane: string }>("/v1/keys");
  return { name, owner, node, chain, keys, prefix: `/v1/clusters/${name}/apps/web/log` };
}

describe("app log", () => {
  it("signs a checkpoint at every seal and binds it into the LogBlock; serves checkpoint and log info publicly", async () => {
    const { name, owner, chain, keys, prefix } = await sealedApp({}, 8);
    const info = await (await get(`${prefix}/`)).json<{ origin: string; vkey: string; size: number; witnesses: string[] }>();
    expect(info).toEqual({
      origin: `enc.localhost/${name}/web`,
      vkey: encodeVkey(`enc.localhost/${name}/web`, ALG_ED25519, decodeAddress(keys.notary)),
      size: 8,
      witnesses: [],
    });
    const res = await get(`${prefix}/checkpoint`);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const note = await openNoteEd25519(await res.text(), info.vkey);
    const cp = parseCheckpoint(note.body);
    expect(cp.size).toBe(8);
    const leaves = chain.map((r) => tlogLeafHash(utf8(canonicalize(r))));
    expect(toBase64(cp.root)).toBe(toBase64(rootOfLeafHashes(leaves)));
    // Blocks of 3, 3 and 2: each binds the log as its seal left it.
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${name}/apps/web/blocks`);
    expect(blocks.map((b) => b.tlog)).toEqual([3, 6, 8].map((n) => ({ size: n, root: rootToText(rootOfLeafHashes(leaves.slice(0, n))) })));
  });

  it("tiles need viewer without public_log; entry bundles hold JCS(receipt); proofs from tiles verify", async () => {
    const { name, owner, chain, keys, prefix } = await sealedApp({}, 8);
    expect((await get(`${prefix}/tile/0/000.p/8`)).status).toBe(401);
    const stranger = (await newCluster()).owner;
    expect((await stranger.api.raw("GET", `${prefix}/tile/0/000.p/8`)).status).toBe(404);
    const tile = await owner.api.raw("GET", `${prefix}/tile/0/000.p/8`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get("cache-control")).toBe("private, max-age=60");
    const leaves = chain.map((r) => tlogLeafHash(utf8(canonicalize(r))));
    expect(tileHashes(new Uint8Array(await tile.arrayBuffer()))).toEqual(leaves);
    const bundle = decodeEntryBundle(new Uint8Array(await (await owner.api.raw("GET", `${prefix}/tile/entries/000.p/8`)).arrayBuffer()));
    expect(bundle.map(fromUtf8)).toEqual(chain.map((r) => canonicalize(r)));
    // Beyond the checkpoint, malformed, or not canonical: 404 naming the path.
    for (const bad of ["tile/0/000.p/9", "tile/0/001", "tile/0/x000/000", "tile/entries/000"]) {
      const r = await owner.api.raw("GET", `${prefix}/${bad}`);
      expect(r.status, bad).toBe(404);
      expect(await r.json()).toMatchObject({ field: "path" });
    }
    // An old checkpoint (block 1's binding) is consistent with the new one, proved from tiles.
    const src = logSource(owner.api, prefix);
    const reader = tileHashReader(8, src.tile);
    const root = await treeRoot(8, reader);
    const { blocks } = await owner.api.get<{ blocks: LogBlock[] }>(`/v1/clusters/${name}/apps/web/blocks`);
    const old = textToRoot(blocks[0].tlog!.root);
    expect(verifyTlogConsistency(3, 8, old, root, await proveConsistency(3, 8, reader))).toBe(true);
    // enc receipts show: inclusion in the app log beside the block proof.
    const shown = await owner.api.get<{ tlog_inclusion: { index: number; size: number; proof: string[]; checkpoint: string } }>(`/v1/receipts/${chain[4].hash}`);
    expect(shown.tlog_inclusion).toMatchObject({ index: 4, size: 8 });
    const cp = parseCheckpoint((await openNoteEd25519(shown.tlog_inclusion.checkpoint, encodeVkey(`enc.localhost/${name}/web`, ALG_ED25519, decodeAddress(keys.notary)))).body);
    expect(verifyTlogInclusion(leaves[4], 4, 8, shown.tlog_inclusion.proof.map(fromBase64), cp.root)).toBe(true);
  });

  it("stores each receipt as its JCS (the log entry a seal appends as is); older bodies are canonicalized at the seal", async () => {
    const node = await signerFromSeed(generateSeed());
    const stub = env.NOTARY.get(env.NOTARY.idFromName("jcs-store/web"));
    const big = { max_receipts_per_block: 100, max_block_window_s: 300 };
    // Escapes, non-ASCII and unsorted keys at every level: what JSON.stringify would keep as sent.
    const labels = { zeta: 'é "q" \\ \u2028 \u0007', alpha: "😀", Mid: "" };
    const chain: StepReceipt[] = [];
    for (let i = 0, prev = GENESIS; i < 3; i++, prev = chain[i - 1].hash) {
      chain.push(await signReceipt({ v: 1, cluster: "jcs-store", app: "web", node: node.address, container: "c.1", op: i ? "usage" : "create", ts: isoNow(), resource: { egress_mb: 0.5, cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0 }, labels, prev_hash: prev }, node));
    }
    expect(await verifyThenAdmit(env.NOTARY, "jcs-store", "web", big, chain)).toEqual({ ok: true, value: { accepted: 3, duplicates: 0, sealed: [] } });
    await runInDurableObject(stub, async (inst) => {
      const sql = (inst as unknown as { ctx: DurableObjectState }).ctx.storage.sql;
      const rows = sql.exec<{ body: string; body_jcs: number | null }>("SELECT body, body_jcs FROM receipts ORDER BY seq").toArray();
      expect(rows).toEqual(chain.map((r) => ({ body: canonicalize(r), body_jcs: 1 })));
      expect(JSON.stringify(chain[0])).not.toBe(canonicalize(chain[0]));
      // A row stored before bodies were JCS: JSON.stringify's text, flag NULL.
      const legacy = await signReceipt({ v: 1, cluster: "jcs-store", app: "web", node: node.address, container: "c.2", op: "create", ts: isoNow(), resource: { cpu_ms: 0, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels, prev_hash: GENESIS }, node);
      sql.exec("INSERT INTO receipts (hash, node, container, prev_hash, ts, accepted_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)", legacy.hash, legacy.node, legacy.container, legacy.prev_hash, legacy.ts, Date.now(), JSON.stringify(legacy));
      chain.push(legacy);
    });
    const sealed = await stub.seal(big);
    expect(sealed).toMatchObject({ ok: true, value: { count: 4 } });
    const head = await stub.logCheckpoint();
    const leaves = chain.map((r) => tlogLeafHash(utf8(canonicalize(r))));
    expect(parseCheckpoint(head!.note.slice(0, head!.note.indexOf("\n\n") + 1)).root).toEqual(rootOfLeafHashes(leaves));
    expect((sealed as { ok: true; value: LogBlock }).value.tlog).toEqual({ size: 4, root: rootToText(rootOfLeafHashes(leaves)) });
  });

  it("a seal appends from the tree's right edge: every stored subtree hash and each block's root match the tree rebuilt from its leaves", async () => {
    const node = await signerFromSeed(generateSeed());
    const stub = env.NOTARY.get(env.NOTARY.idFromName("edge-append/web"));
    const big = { max_receipts_per_block: 1000, max_block_window_s: 300 };
    // Blocks of odd sizes, so that appends start at every kind of edge (one to five set bits).
    const sizes = [1, 3, 5, 7, 2, 13, 1, 31];
    const chain = await receiptChain(node, "edge-append", "web", "c.1", sizes.reduce((a, b) => a + b, 0));
    const blocks: LogBlock[] = [];
    for (let i = 0, at = 0; i < sizes.length; at += sizes[i], i++) {
      expect(await verifyThenAdmit(env.NOTARY, "edge-append", "web", big, chain.slice(at, at + sizes[i]))).toMatchObject({ ok: true, value: { accepted: sizes[i] } });
      const sealed = await stub.seal(big);
      expect(sealed).toMatchObject({ ok: true, value: { count: sizes[i] } });
      blocks.push((sealed as { ok: true; value: LogBlock }).value);
    }
    const leaves = chain.map((r) => tlogLeafHash(utf8(canonicalize(r))));
    let n = 0;
    expect(blocks.map((b) => b.tlog)).toEqual(sizes.map((k) => ((n += k), { size: n, root: rootToText(rootOfLeafHashes(leaves.slice(0, n))) })));
    const stored = await runInDurableObject(stub, (inst) =>
      (inst as unknown as { ctx: DurableObjectState }).ctx.storage.sql
        .exec<{ level: number; idx: number; hash: ArrayBuffer }>("SELECT level, idx, hash FROM tlog_hashes ORDER BY level, idx")
        .toArray()
        .map((r) => ({ level: r.level, idx: r.idx, hash: toBase64(new Uint8Array(r.hash)) })),
    );
    // Exactly the complete subtrees of the final tree, each the root of its leaves.
    const expected: { level: number; idx: number; hash: string }[] = [];
    for (let level = 0; 2 ** level <= leaves.length; level++) {
      for (let idx = 0; (idx + 1) * 2 ** level <= leaves.length; idx++) {
        expected.push({ level, idx, hash: toBase64(rootOfLeafHashes(leaves.slice(idx * 2 ** level, (idx + 1) * 2 ** level))) });
      }
    }
    expect(stored).toEqual(expected);
    // The leaf hashes taken at admission are those of the bodies stored (and served as entries).
    const rows = await runInDurableObject(stub, (inst) =>
      (inst as unknown as { ctx: DurableObjectState }).ctx.storage.sql.exec<{ body: string; leaf: ArrayBuffer }>("SELECT body, leaf_hash AS leaf FROM receipts ORDER BY seq").toArray(),
    );
    expect(rows.map((r) => toBase64(new Uint8Array(r.leaf)))).toEqual(rows.map((r) => toBase64(tlogLeafHash(utf8(r.body)))));
    expect(rows.map((r) => toBase64(new Uint8Array(r.leaf)))).toEqual(leaves.map(toBase64));
  });

  it("public_log: full tiles immutable and readable unsigned; the verifier proves every entry", async () => {
    const { name, owner, keys, prefix } = await sealedApp({ public_log: true }, 260, 100);
    const full = await get(`${prefix}/tile/0/000`);
    expect(full.status).toBe(200);
    expect(full.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await full.arrayBuffer()).byteLength).toBe(256 * 32);
    const partial = await get(`${prefix}/tile/0/001.p/4`);
    expect(partial.headers.get("cache-control")).toBe("public, max-age=60");
    expect((await get(`${prefix}/tile/entries/000`)).status).toBe(200);
    const report = await verifyAppLedger(appSource(owner.api, name, "web"), keys.notary);
    expect(report.problems).toEqual([]);
    expect(report.log).toMatchObject({ size: 260, proved: 260 });
    // Since an earlier checkpoint: consistent.
    const again = await verifyAppLedger({ ...appSource(owner.api, name, "web"), log: { ...appSource(owner.api, name, "web").log, since: report.log!.checkpoint } }, keys.notary);
    expect(again.problems).toEqual([]);
    expect(again.log?.consistent_with).toBe(260);
  });

  it("the verifier reports a ledger cut short or rewritten in D1, a rollback and a fork", async () => {
    const { name, owner, node, keys, chain } = await sealedApp({}, 6);
    const first = await verifyAppLedger(appSource(owner.api, name, "web"), keys.notary);
    expect(first.problems).toEqual([]);
    const more = await receiptChain(node.signer, name, "web", chain[0].container, 3, chain.at(-1)!.hash);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: more });
    await owner.api.raw("POST", `/v1/clusters/${name}/apps/web/seal`);
    const src = appSource(owner.api, name, "web");
    // Rollback: the log now served is older than a checkpoint seen before.
    const later = await verifyAppLedger(src, keys.notary);
    expect(later.problems).toEqual([]);
    expect(later.log?.size).toBe(9);
    const stale = { ...src.log.source, checkpoint: async () => first.log!.checkpoint };
    const rolled = await verifyAppLedger({ ...src, log: { ...src.log, source: stale, since: later.log!.checkpoint } }, keys.notary);
    expect(rolled.problems.map((p) => p.problem).join("\n")).toMatch(/rollback: the log now has 6 entries, but a checkpoint of 9/);
    // Fork: a checkpoint of size 6 with another root, signed by the notary key (as a log showing
    // two histories would), is not extended by the served log.
    const origin = `enc.localhost/${name}/web`;
    const forkBody = checkpointBody({ origin, size: 6, root: new Uint8Array(32).fill(7) });
    const forked = await signNoteEd25519(forkBody, origin, await signerFromHex(env.NOTARY_KEY));
    const fork = await verifyAppLedger({ ...src, log: { ...src.log, since: forked } }, keys.notary);
    expect(fork.problems.map((p) => p.problem).join("\n")).toMatch(/fork: the log of 9 entries does not extend the checkpoint of 6/);
    // Cut short: D1 loses the last block (the guard dropped by an attacker with D1 access).
    const triggers = await env.LEDGER.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('blocks', 'receipts')").all<{ name: string; sql: string }>();
    for (const t of triggers.results) await env.LEDGER.exec(`DROP TRIGGER ${t.name}`);
    try {
      await env.LEDGER.prepare("DELETE FROM blocks WHERE cluster = ? AND app = 'web' AND height = 3").bind(name).run();
      const cut = await verifyAppLedger(src, keys.notary);
      expect(cut.problems.map((p) => p.problem).join("\n")).toMatch(/missing: the signed checkpoint has 9 entries, but the ledger holds 6/);
      // Rewritten: a receipt body changed (hash and signature too, so only the log can tell).
      const row = await env.LEDGER.prepare("SELECT hash, body FROM receipts WHERE cluster = ? AND block_height = 1 AND leaf_index = 1").bind(name).first<{ hash: string; body: string }>();
      const forged = { ...JSON.parse(row!.body), labels: { forged: "yes" } };
      await env.LEDGER.prepare("UPDATE receipts SET body = ? WHERE hash = ?").bind(JSON.stringify(forged), row!.hash).run();
      const rewritten = await verifyAppLedger(src, keys.notary);
      const text = rewritten.problems.map((p) => `${p.where}: ${p.problem}`).join("\n");
      expect(text).toMatch(/entry 1: not included in the signed log/);
      expect(text).toMatch(/tlog.root .* does not match/);
    } finally {
      for (const t of triggers.results) await env.LEDGER.exec(t.sql.replace(/\s+/g, " "));
    }
  });
});

describe("logs of apps that never had a receipt", () => {
  /** The NotaryDO's own tables and the size of its database file. */
  const storageOf = (cluster: string, app: string) =>
    runInDurableObject(env.NOTARY.getByName(notaryName(cluster, app)), (_i, state) => ({
      tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name),
      keys: [...state.storage.kv.list()].length,
    }));

  it("answer 404 problems and leave the app's NotaryDO without storage; an app with receipts still serves", async () => {
    const { name, owner } = await newCluster({ public_log: true });
    const node = await joinNode(owner.api, name);
    const { container } = await deployApp(owner.api, name, "web");
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: await receiptChain(node.signer, name, "web", container, 2) });
    for (const path of ["/", "/checkpoint", "/tile/0/000.p/1", "/tile/entries/000.p/1"]) {
      const res = await get(`/v1/clusters/${name}/apps/ghost/log${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
      expect(await res.json(), path).toMatchObject({ status: 404, field: "app" });
    }
    // Signed reads of the same app answer from nothing too.
    expect(await owner.api.get(`/v1/clusters/${name}/apps/ghost/notary`)).toMatchObject({ pending_receipts: 0, current_height: 0 });
    expect(await owner.api.get(`/v1/clusters/${name}/apps/ghost/head`)).toMatchObject({ size: 0 });
    expect((await owner.api.raw("POST", `/v1/clusters/${name}/apps/ghost/seal`)).status).toBe(204);
    expect(await storageOf(name, "ghost")).toEqual({ tables: [], keys: 0 });
    // An app with receipts, none sealed yet: its log has begun (size 0) and has no checkpoint.
    expect(await (await get(`/v1/clusters/${name}/apps/web/log/`)).json()).toMatchObject({ origin: `enc.localhost/${name}/web`, size: 0 });
    expect((await storageOf(name, "web")).tables).toContain("receipts");
    await owner.api.post(`/v1/clusters/${name}/apps/web/seal`);
    expect((await get(`/v1/clusters/${name}/apps/web/log/checkpoint`)).status).toBe(200);
    expect((await get(`/v1/clusters/${name}/apps/web/log/tile/entries/000.p/2`)).status).toBe(200);
  });
});

describe("witness failures", () => {
  const WITNESS = [{ url: "https://witness.example.com", vkey: "witness.example.com+e85f5128+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH" }];

  it("are logged once per witness and kind of failure while the task retries with back-off", async () => {
    const errors = vi.spyOn(console, "error");
    try {
      const { name, owner } = await newCluster({ witnesses: WITNESS });
      const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
      const task = () =>
        runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ attempts: number; due_at: number }>("SELECT attempts, due_at FROM schedule WHERE task = 'witness'").toArray()[0]);
      const addRole = async () => owner.api.post(`/v1/clusters/${name}/roles`, { address: (await wallet()).signer.address, role: "viewer" });
      // The first checkpoint is submitted at once and fails: the task backs off.
      await addRole();
      await runDurableObjectAlarm(stub);
      for (let n = 0; ((await task())?.attempts ?? 0) < 1 && n < 100; n++) await scheduler.wait(50);
      const backedOff = await task();
      expect(backedOff.attempts).toBe(1);
      expect(backedOff.due_at).toBeGreaterThan(Date.now());
      // Newer checkpoints while the witness is down do not pull the retry forward.
      for (let i = 0; i < 3; i++) {
        await addRole();
        await runDurableObjectAlarm(stub);
      }
      expect(await task()).toEqual(backedOff);
      // Once the back-off has passed, the retry runs (and fails again, still logged once).
      await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("UPDATE schedule SET due_at = 0 WHERE task = 'witness'"));
      await runDurableObjectAlarm(stub);
      for (let n = 0; (await task()).attempts < 2 && n < 100; n++) await scheduler.wait(50);
      expect((await task()).attempts).toBe(2);
      const mine = errors.mock.calls.map((c) => c.join(" ")).filter((line) => line.includes(name));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toContain(`log enc.localhost/${name}/audit: witness witness.example.com failed: `);
    } finally {
      errors.mockRestore();
    }
  });

  it("overlapping rounds log a failure once and keep one record", async () => {
    const { name } = await newCluster();
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    const errors = vi.spyOn(console, "error");
    try {
      const lines = await runInDurableObject(stub, async (_i, state) => {
        const desk = new WitnessDesk(state.storage.kv);
        const w = { url: "https://witness.example.com", vkey: WITNESS[0].vkey };
        const latest = { size: 3, note: `enc.localhost/${name}/race\n3\nAAAA\n\n` };
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        // Both rounds read the record before either answer arrives, as an alarm and a retry would.
        const fetcher = async () => (await gate, new Response("down", { status: 500 }));
        const rounds = [desk.submit([w], latest, () => [], fetcher), desk.submit([w], latest, () => [], fetcher)];
        release();
        for (const r of await Promise.all(rounds)) expect(r.failures).toHaveLength(1);
        return errors.mock.calls.map((c) => c.join(" ")).filter((l) => l.includes(`${name}/race`));
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("HTTP 500: down");
    } finally {
      errors.mockRestore();
    }
  });

  it("a new kind of failure is logged at once, the same one again after an hour", () => {
    const t = 1_000_000;
    expect(shouldReport(null, "HTTP 500: down", t)).toBe(true);
    const last = { kind: failureKind("the witness has cosigned size 7, larger than this log's 5"), at: t };
    expect(shouldReport(last, "the witness has cosigned size 9, larger than this log's 6", t + 1000)).toBe(false);
    expect(shouldReport(last, "HTTP 500: down", t + 1000)).toBe(true);
    expect(shouldReport({ kind: failureKind("HTTP 500: down"), at: t }, "HTTP 503: down", t + 1000)).toBe(true);
    expect(shouldReport(last, "the witness has cosigned size 9, larger than this log's 6", t + REPEAT_LOG_MS)).toBe(true);
  });
});

describe("audit log", () => {
  it("is a C2SP log of JCS(AuditEntry) signed by the control-plane key, checkpointed at every flush", async () => {
    const { name, owner } = await newCluster({ public_log: true });
    await joinNode(owner.api, name);
    const keys = await owner.api.get<{ control_plane: string }>("/v1/keys");
    const prefix = `/v1/clusters/${name}/audit/log`;
    const info = await (await get(`${prefix}/`)).json<{ origin: string; vkey: string; size: number }>();
    expect(info.origin).toBe(`enc.localhost/${name}/audit`);
    expect(info.vkey).toBe(encodeVkey(info.origin, ALG_ED25519, decodeAddress(keys.control_plane)));
    const note = await (await get(`${prefix}/checkpoint`)).text();
    const cp = parseCheckpoint((await openNoteEd25519(note, info.vkey)).body);
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit`);
    expect(cp.size).toBe(entries.length);
    expect(entries.length).toBeGreaterThanOrEqual(3); // created, token, node
    const bundle = decodeEntryBundle(new Uint8Array(await (await get(`${prefix}/tile/entries/000.p/${cp.size}`)).arrayBuffer()));
    expect(bundle.map(fromUtf8)).toEqual(entries.map((e) => canonicalize(e)));
    const head = await owner.api.get(`/v1/clusters/${name}/audit/head`);
    const checked = await verifyAuditHistory(entries, keys.control_plane, { cluster: name, head, log: { source: logSource(owner.api, prefix), note } });
    expect(checked.problems).toEqual([]);
    expect(checked.log).toMatchObject({ size: entries.length, proved: entries.length });
  });

  it("unsigned tiles of a private cluster, or of no cluster, get the same 401", async () => {
    const { name } = await newCluster();
    expect((await get(`/v1/clusters/${name}/audit/log/tile/0/000.p/1`)).status).toBe(401);
    expect((await get(`/v1/clusters/no-such-${name}/audit/log/tile/0/000.p/1`)).status).toBe(401);
    expect((await get(`/v1/clusters/${name}/apps/web/log/checkpoint`)).status).toBe(404);
    expect((await get(`/v1/clusters/Bad_Name/apps/web/log/tile/0/000`)).status).toBe(400);
  });
});
