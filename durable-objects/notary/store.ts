import { count, eq, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { utf8View } from "../../protocol/bytes.ts";
import { tlogLeafHash } from "../../protocol/c2sp/tlog.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import type { ChainLookup } from "../../domain/notary/admission.ts";
import { DEFAULT_LIMITS, type NotaryLimits } from "../../domain/notary/sealing.ts";
import { deliveries } from "./schema.ts";
import type { TerminalReceipt } from "../../domain/agreements/cage-verdict.ts";

/** A receipt waiting for its block; the bodies are read only for rows without a leaf hash. */
export type PendingReceipt = {
  seq: number;
  hash: string;
  ts: string;
  leaf: ArrayBuffer | null;
  entry: ArrayBuffer | null;
  body: string | null;
};

/** What the chain rules need to know about one batch, read in two queries (see `lookupBatch`). */
class BatchLookup implements ChainLookup {
  constructor(
    private readonly held: Map<string, { node: string; container: string }>,
    private readonly links: Map<string, string>,
  ) {}

  find(hash: string) {
    return this.held.get(hash);
  }

  successor(node: string, container: string, prev: string) {
    return this.links.get(linkKey(node, container, prev));
  }
}

const linkKey = (node: string, container: string, prev: string) => JSON.stringify([node, container, prev]);

/**
 * The NotaryDO's tables behind typed calls; every write runs inside the caller's transaction.
 * The ingest and seal paths use raw SQL with whole batches per statement (json_each): per-receipt
 * drizzle calls were most of a batch's time (docs/PERFORMANCE.md).
 */
export class NotaryStore {
  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly sqlite: SqlStorage,
  ) {}

  /**
   * The last sealed receipt's seq (0 before the first block): the receipts after it are the
   * pending ones, in sealing order (schema.ts, `blocks`).
   */
  sealedThrough(): number {
    return this.lastBlock()?.last_seq ?? 0;
  }

  /**
   * A ChainLookup for `batch` answered from two queries: the held receipts among the batch's
   * hashes and predecessors, and the held successors of its links. Valid inside the transaction
   * that reads it (nothing else writes meanwhile).
   */
  lookupBatch(batch: readonly StepReceipt[]): ChainLookup {
    const hashes: string[] = [];
    const links: [string, string, string][] = [];
    for (const r of batch) {
      hashes.push(r.hash, r.prev_hash);
      links.push([r.node, r.container, r.prev_hash]);
    }
    const held = new Map<string, { node: string; container: string }>();
    for (const row of this.sqlite.exec<{ hash: string; node: string; container: string }>(
      "SELECT hash, node, container FROM receipts WHERE hash IN (SELECT value FROM json_each(?))",
      JSON.stringify(hashes),
    )) {
      held.set(row.hash, { node: row.node, container: row.container });
    }
    const taken = new Map<string, string>();
    for (const row of this.sqlite.exec<{ node: string; container: string; prev_hash: string; hash: string }>(
      `SELECT r.node, r.container, r.prev_hash, r.hash FROM json_each(?) AS l
       JOIN receipts AS r ON r.node = l.value->>0 AND r.container = l.value->>1 AND r.prev_hash = l.value->>2`,
      JSON.stringify(links),
    )) {
      taken.set(linkKey(row.node, row.container, row.prev_hash), row.hash);
    }
    return new BatchLookup(held, taken);
  }

  /**
   * Inserts admitted receipts, given as their JCS texts (`entries`, from their verification), in
   * one statement from one JSON array of them: each body is its element's text, so the JCS itself,
   * and the seal appends it to the C2SP log as is. Returns their seq range, or null for none.
   */
  insertReceipts(entries: readonly string[], acceptedAt: number): { from: number; to: number; bytes: number } | null {
    if (entries.length === 0) return null;
    const text = "[" + entries.join(",") + "]";
    // Each entry's C2SP leaf hash, taken now from the bytes at hand: the seal (one block at a
    // time, holding the DO) then neither reads the bodies nor hashes them. Hash k at byte 32k.
    const leaves = new Uint8Array(32 * entries.length);
    entries.forEach((e, k) => leaves.set(tlogLeafHash(utf8View(e)), 32 * k));
    const { to } = this.sqlite
      .exec<{ to: number }>(
        `INSERT INTO receipts (hash, node, container, prev_hash, ts, accepted_at, body, body_jcs, leaf_hash)
         SELECT value->>'$.hash', value->>'$.node', value->>'$.container', value->>'$.prev_hash', value->>'$.ts', ?, value, 1, substr(?, key * 32 + 1, 32) FROM json_each(?)
         RETURNING seq AS "to"`,
        acceptedAt,
        leaves.buffer,
        text,
      )
      .toArray()
      .reduce((a, b) => (b.to > a.to ? b : a));
    return { from: to - entries.length + 1, to, bytes: text.length };
  }

  /** Stored JSON of receipts seq in [from, to], in order (the D1 flush of a batch's outbox row). */
  bodiesBetween(from: number, to: number): string[] {
    return this.sqlite
      .exec<{ body: string }>("SELECT body FROM receipts WHERE seq >= ? AND seq <= ? ORDER BY seq", from, to)
      .toArray()
      .map((r) => r.body);
  }

  pendingCount(through = this.sealedThrough()): number {
    return this.sqlite.exec<{ n: number }>("SELECT COUNT(*) AS n FROM receipts WHERE seq > ?", through).one().n;
  }

  /**
   * pendingCount when it may reach `atLeast`, else 0. Pending rows lie after the last sealed
   * seq, so the span to the last seq bounds their number, from two index probes; the COUNT
   * steps over every pending row, so it runs only when the bound allows a full block.
   */
  pendingCountFrom(atLeast: number): number {
    const through = this.sealedThrough();
    const bound = this.sqlite.exec<{ n: number | null }>("SELECT MAX(seq) - ? AS n FROM receipts", through).one().n;
    return bound != null && bound >= atLeast ? this.pendingCount(through) : 0;
  }

  /** Exit and oom receipts (how each container ended, with its witness root), oldest first. */
  terminal(limit: number): TerminalReceipt[] {
    return this.sqlite
      .exec<{ hash: string; node: string; container: string; ts: string; body: string }>(
        "SELECT hash, node, container, ts, body FROM receipts WHERE json_extract(body, '$.op') IN ('exit', 'oom') ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => {
        const b = JSON.parse(r.body) as { op: string; witness_root?: string; exit_code?: number };
        return { hash: r.hash, node: r.node, container: r.container, ts: r.ts, op: b.op, witness_root: b.witness_root, exit_code: b.exit_code };
      });
  }

  /**
   * The oldest pending receipts in sealing order. `leaf`: the C2SP leaf hash taken at admission.
   * For rows stored before it, `entry`: the stored body's UTF-8 bytes when it is the receipt's JCS
   * (its log entry as is); `body`: the stored JSON of an older row, to canonicalize.
   */
  pending(limit: number, after = this.sealedThrough()): PendingReceipt[] {
    return this.sqlite
      .exec<PendingReceipt>(
        `SELECT seq, hash, ts, leaf_hash AS leaf, CASE WHEN leaf_hash IS NULL AND body_jcs = 1 THEN CAST(body AS BLOB) END AS entry,
                CASE WHEN leaf_hash IS NULL AND body_jcs IS NOT 1 THEN body END AS body
         FROM receipts WHERE seq > ? ORDER BY seq LIMIT ?`,
        after,
        limit,
      )
      .toArray();
  }

  /**
   * Stored JSON of the app log's entries [from, from + count) (PROTOCOL.md §6), in log order: the
   * log holds the sealed receipts in seq order, so they are the rows from the seq of entry `from`
   * (found through its block) on.
   */
  tlogEntries(from: number, count: number): string[] {
    const b = this.sqlite
      .exec<{ first_seq: number; tlog_start: number }>("SELECT first_seq, tlog_start FROM blocks WHERE tlog_start <= ? ORDER BY tlog_start DESC LIMIT 1", from)
      .toArray()[0];
    if (!b || count <= 0) return [];
    return this.sqlite
      .exec<{ body: string }>("SELECT body FROM receipts WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ? OFFSET ?", b.first_seq, this.sealedThrough(), count, from - b.tlog_start)
      .toArray()
      .map((r) => r.body);
  }

  /** A receipt's place in the app log, once sealed: its block's first log index plus its leaf index. */
  tlogIndexOf(hash: string): number | null {
    return (
      this.sqlite
        .exec<{ i: number }>(
          `SELECT b.tlog_start + (SELECT COUNT(*) FROM receipts WHERE seq >= b.first_seq AND seq < r.seq) AS i
           FROM receipts AS r JOIN blocks AS b ON b.last_seq = (SELECT MIN(last_seq) FROM blocks WHERE last_seq >= r.seq)
           WHERE r.hash = ?`,
          hash,
        )
        .toArray()[0]?.i ?? null
    );
  }

  /**
   * Receipts sealed before this DO kept a log, in sealing order (their blocks' tlog_start count
   * them from 0): appended once, on the first seal that finds an empty log over existing blocks.
   */
  backfillTlog(): string[] {
    return this.sqlite
      .exec<{ body: string }>("SELECT body FROM receipts WHERE seq <= ? ORDER BY seq", this.sealedThrough())
      .toArray()
      .map((r) => r.body);
  }

  /** The first pending receipt's acceptance time: accepted_at grows with seq, so it is the oldest. */
  oldestPendingAt(): number | null {
    return this.sqlite.exec<{ t: number }>("SELECT accepted_at AS t FROM receipts WHERE seq > ? ORDER BY seq LIMIT 1", this.sealedThrough()).toArray()[0]?.t ?? null;
  }

  /** The newest block's height, hash and last receipt's seq (one row), or undefined before the first. */
  lastBlock(): { height: number; hash: string; last_seq: number } | undefined {
    return this.sqlite.exec<{ height: number; hash: string; last_seq: number }>("SELECT height, hash, last_seq FROM blocks ORDER BY height DESC LIMIT 1").toArray()[0];
  }

  height(): number {
    return this.sqlite.exec<{ h: number | null }>("SELECT MAX(height) AS h FROM blocks").one().h ?? 0;
  }

  blockHash(height: number): string | undefined {
    return this.sqlite.exec<{ hash: string }>("SELECT hash FROM blocks WHERE height = ?", height).toArray()[0]?.hash;
  }

  /**
   * Records a sealed block over `leaves` (the oldest pending receipts, in seq order): one row
   * naming their seq range and first log index; no receipt row is rewritten.
   */
  insertBlock(height: number, hash: string, body: unknown, leaves: readonly { seq: number }[], tlogStart: number): void {
    this.sqlite.exec(
      "INSERT INTO blocks (height, hash, body, first_seq, last_seq, tlog_start) VALUES (?, ?, ?, ?, ?, ?)",
      height,
      hash,
      JSON.stringify(body),
      leaves[0].seq,
      leaves[leaves.length - 1].seq,
      tlogStart,
    );
  }

  limits(): NotaryLimits {
    const l = this.sqlite.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'limits'").toArray()[0]?.value;
    return l ? (JSON.parse(l) as NotaryLimits) : DEFAULT_LIMITS;
  }

  /** The cluster's limits as last told, so the window alarm seals by them with no caller; true when they changed. */
  setLimits(limits: NotaryLimits): boolean {
    const value = JSON.stringify(limits);
    return this.sqlite.exec("INSERT INTO meta (key, value) VALUES ('limits', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value", value).rowsWritten > 0;
  }

  /** The first block co-signed with ML-DSA-65 (kept here, not in D1, so no D1 edit can move it). */
  mldsaFrom(): number | null {
    const v = this.sqlite.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'mldsa_from'").toArray()[0]?.value;
    return v ? Number(v) : null;
  }

  setMldsaFrom(height: number): void {
    this.sqlite.exec("INSERT INTO meta (key, value) VALUES ('mldsa_from', ?) ON CONFLICT (key) DO NOTHING", String(height));
  }

  addDelivery(d: { key: string; payload: string }): void {
    // Raw: drizzle built this statement anew at every seal.
    this.sqlite.exec("INSERT INTO deliveries (key, payload) VALUES (?, ?) ON CONFLICT DO NOTHING", d.key, d.payload);
  }

  deliveries(limit: number): { key: string; payload: string }[] {
    return this.db.select().from(deliveries).orderBy(sql`rowid`).limit(limit).all();
  }

  dropDelivery(key: string): void {
    this.db.delete(deliveries).where(eq(deliveries.key, key)).run();
  }

  deliveriesLeft(): number {
    return this.db.select({ n: count() }).from(deliveries).get()!.n;
  }
}
