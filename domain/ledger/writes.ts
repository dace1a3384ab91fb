import { drizzle } from "drizzle-orm/d1";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";

/** What a DO owes the ledger; each kind maps to idempotent statements. */
export type LedgerWrite =
  | { kind: "audit"; entry: AuditEntry }
  | { kind: "receipt"; receipt: StepReceipt }
  /** A NotaryDO batch: each receipt as the exact JSON text the DO stored (one outbox row per batch). */
  | { kind: "receipts"; bodies: string[] }
  /** Audit entries as the exact JSON text their DO stored. */
  | { kind: "audit_bodies"; bodies: string[] }
  | { kind: "block"; block: LogBlock; hash: string; leaves: string[] }
  | { kind: "registry_host"; row: RegistryHostRow }
  | { kind: "did_version"; row: DidVersionRow };

/** One version of an httpcg host (schema.ts registryHosts); `record` is null when it removed the host. */
export interface RegistryHostRow {
  host: string;
  version: number;
  owner: string;
  actor: string;
  deleted: boolean;
  record: Record<string, unknown> | null;
  ts: string;
  audit_hash: string;
}

/** One version of a did:bpi document (schema.ts didVersions). */
export interface DidVersionRow {
  did: string;
  version: number;
  actor: string;
  document: Record<string, unknown>;
  deactivated: boolean;
  created: string;
  updated: string;
  audit_hash: string;
}

/** Drizzle over the D1 ledger (reads and schema); see schema.ts. */
export function ledger(db: D1Database) {
  return drizzle(db);
}

// The write path is hand-written SQL against the schema in schema.ts: it is the ingest hot path.
// Rows travel as one JSON array per statement (json_each), not as bound parameters: D1 allows 100
// of those per statement, which cut a 100-receipt batch into 12 statements and a block's leaf
// update into 3. A bound value may hold up to 2 MB; chunks stay well under.
const MAX_JSON_BYTES = 1_000_000;

/** Splits JSON texts into chunks whose total length stays under MAX_JSON_BYTES. */
function chunksOf(texts: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const t of texts) {
    if (cur.length && size + t.length > MAX_JSON_BYTES) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(t);
    size += t.length + 8;
  }
  if (cur.length) out.push(cur);
  return out;
}

// Columns are read from the stored body itself, so the row cannot disagree with what was signed.
// (`WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint.)
const RECEIPTS_INSERT = `INSERT INTO receipts (hash, cluster, app, node, container, op, ts, prev_hash, body)
  SELECT b->>'$.hash', b->>'$.cluster', b->>'$.app', b->>'$.node', b->>'$.container', b->>'$.op', b->>'$.ts', b->>'$.prev_hash', b
  FROM (SELECT value AS b FROM json_each(?)) WHERE true
  ON CONFLICT (hash) DO NOTHING`;

function receiptInserts(d1: D1Database, bodies: string[]): D1PreparedStatement[] {
  return chunksOf(bodies).map((chunk) => d1.prepare(RECEIPTS_INSERT).bind(JSON.stringify(chunk)));
}

// As RECEIPTS_INSERT, columns from the body, but each body is a bound value of its own rather
// than a member of one JSON array: a deploy's entries are ~25 KB each (3 MB for ten deploys), and
// wrapping them in a JSON string escaped every quote once more on the way to D1 and had SQLite
// unescape them again (a flush of 130 such entries: 50 → 35 ms in local D1, docs/PERFORMANCE.md).
const AUDIT_BODIES_PER_INSERT = 50;
const auditBodiesInsert = (n: number) => `INSERT INTO audit_entries (hash, cluster, seq, ts, event, actor, subject, body)
  SELECT b->>'$.hash', b->>'$.cluster', b->>'$.seq', b->>'$.ts', b->>'$.event', b->>'$.actor', b->>'$.subject', b
  FROM (SELECT column1 AS b FROM (VALUES ${Array.from({ length: n }, () => "(?)").join(", ")})) WHERE true
  ON CONFLICT DO NOTHING`;

function auditInserts(d1: D1Database, bodies: string[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (const chunk of chunksOf(bodies)) {
    for (let i = 0; i < chunk.length; i += AUDIT_BODIES_PER_INSERT) {
      const part = chunk.slice(i, i + AUDIT_BODIES_PER_INSERT);
      out.push(d1.prepare(auditBodiesInsert(part.length)).bind(...part));
    }
  }
  return out;
}

function blockStatements(d1: D1Database, w: Extract<LedgerWrite, { kind: "block" }>): D1PreparedStatement[] {
  const b = w.block;
  return [
    d1
      .prepare("INSERT INTO blocks (cluster, app, height, hash, prev, merkle_root, count, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(b.cluster, b.app, b.height, w.hash, b.prev, b.merkle_root, b.count, JSON.stringify(b)),
    // Leaf positions are the array positions of the hashes (json_each's key).
    d1
      .prepare(
        `UPDATE receipts SET block_height = ?1, leaf_index = leaf.key
         FROM (SELECT key, value FROM json_each(?2)) AS leaf
         WHERE receipts.hash = leaf.value AND receipts.block_height IS NULL`,
      )
      .bind(b.height, JSON.stringify(w.leaves)),
  ];
}

function auditInsert(d1: D1Database, e: AuditEntry): D1PreparedStatement {
  return d1
    .prepare("INSERT INTO audit_entries (hash, cluster, seq, ts, event, actor, subject, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
    .bind(e.hash, e.cluster, e.seq, e.ts, e.event, e.actor, e.subject, JSON.stringify(e));
}

function registryInsert(d1: D1Database, w: Extract<LedgerWrite, { kind: "registry_host" | "did_version" }>): D1PreparedStatement {
  if (w.kind === "registry_host") {
    const r = w.row;
    return d1
      .prepare("INSERT INTO registry_hosts (host, version, owner, actor, deleted, record, ts, audit_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(r.host, r.version, r.owner, r.actor, r.deleted ? 1 : 0, r.record === null ? null : JSON.stringify(r.record), r.ts, r.audit_hash);
  }
  const r = w.row;
  return d1
    .prepare("INSERT INTO did_versions (did, version, actor, document, deactivated, created, updated, audit_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
    .bind(r.did, r.version, r.actor, JSON.stringify(r.document), r.deactivated ? 1 : 0, r.created, r.updated, r.audit_hash);
}

/** Applies writes in order in one D1 batch (a transaction). Safe to repeat: all idempotent. */
export async function applyLedgerWrites(d1: D1Database, writes: LedgerWrite[]): Promise<void> {
  const stmts: D1PreparedStatement[] = [];
  let run: string[] = [];
  let audits: string[] = [];
  const flushRun = () => {
    if (run.length) stmts.push(...receiptInserts(d1, run));
    if (audits.length) stmts.push(...auditInserts(d1, audits));
    run = [];
    audits = [];
  };
  for (const w of writes) {
    if (w.kind === "audit_bodies") {
      if (run.length) flushRun();
      for (const body of w.bodies) audits.push(body);
      continue;
    }
    if (audits.length) flushRun();
    if (w.kind === "receipt") {
      run.push(JSON.stringify(w.receipt));
      continue;
    }
    if (w.kind === "receipts") {
      for (const body of w.bodies) run.push(body);
      continue;
    }
    flushRun();
    if (w.kind === "audit") stmts.push(auditInsert(d1, w.entry));
    else if (w.kind === "block") stmts.push(...blockStatements(d1, w));
    else stmts.push(registryInsert(d1, w));
  }
  flushRun();
  if (stmts.length > 0) await d1.batch(stmts);
}
