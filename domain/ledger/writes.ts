import { drizzle } from "drizzle-orm/d1";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";

/** What a DO owes the ledger; each kind maps to idempotent statements. */
export type LedgerWrite =
  | { kind: "audit"; entry: AuditEntry }
  | { kind: "receipt"; receipt: StepReceipt }
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

// The write path is hand-written SQL against the schema in schema.ts: it is the ingest hot
// path, and multi-row inserts must stay under D1's 100 bound parameters per statement.
const RECEIPT_COLS = 9;
const RECEIPT_ROWS_PER_STMT = Math.floor(100 / RECEIPT_COLS);
const LEAF_ROWS_PER_STMT = 45;

function receiptInserts(d1: D1Database, rs: StepReceipt[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < rs.length; i += RECEIPT_ROWS_PER_STMT) {
    const chunk = rs.slice(i, i + RECEIPT_ROWS_PER_STMT);
    const values = chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
    const binds = chunk.flatMap((r) => [r.hash, r.cluster, r.app, r.node, r.container, r.op, r.ts, r.prev_hash, JSON.stringify(r)]);
    out.push(
      d1
        .prepare(`INSERT INTO receipts (hash, cluster, app, node, container, op, ts, prev_hash, body) VALUES ${values} ON CONFLICT (hash) DO NOTHING`)
        .bind(...binds),
    );
  }
  return out;
}

function blockStatements(d1: D1Database, w: Extract<LedgerWrite, { kind: "block" }>): D1PreparedStatement[] {
  const b = w.block;
  const out = [
    d1
      .prepare("INSERT INTO blocks (cluster, app, height, hash, prev, merkle_root, count, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(b.cluster, b.app, b.height, w.hash, b.prev, b.merkle_root, b.count, JSON.stringify(b)),
  ];
  // Leaf positions as a VALUES table joined in one UPDATE per chunk.
  for (let i = 0; i < w.leaves.length; i += LEAF_ROWS_PER_STMT) {
    const chunk = w.leaves.slice(i, i + LEAF_ROWS_PER_STMT);
    const values = chunk.map(() => "(?, ?)").join(", ");
    out.push(
      d1
        .prepare(
          `WITH leaf(hash, idx) AS (VALUES ${values})
           UPDATE receipts SET block_height = ?, leaf_index = (SELECT idx FROM leaf WHERE leaf.hash = receipts.hash)
           WHERE hash IN (SELECT hash FROM leaf) AND block_height IS NULL`,
        )
        .bind(...chunk.flatMap((h, k) => [h, i + k]), b.height),
    );
  }
  return out;
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
  let run: StepReceipt[] = [];
  const flushRun = () => {
    stmts.push(...receiptInserts(d1, run));
    run = [];
  };
  for (const w of writes) {
    if (w.kind === "receipt") {
      run.push(w.receipt);
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
