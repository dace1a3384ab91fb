import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { auditEntries, blocks, receipts } from "./schema.ts";

/** What a DO owes the ledger; each kind maps to idempotent statements. */
export type LedgerWrite =
  | { kind: "audit"; entry: AuditEntry }
  | { kind: "receipt"; receipt: StepReceipt }
  | { kind: "block"; block: LogBlock; hash: string; leaves: string[] };

export function ledger(db: D1Database) {
  return drizzle(db);
}

type Db = ReturnType<typeof ledger>;

function statements(db: Db, w: LedgerWrite): BatchItem<"sqlite">[] {
  switch (w.kind) {
    case "audit": {
      const e = w.entry;
      return [
        db
          .insert(auditEntries)
          .values({ hash: e.hash, cluster: e.cluster, seq: e.seq, ts: e.ts, event: e.event, actor: e.actor, subject: e.subject, body: JSON.stringify(e) })
          .onConflictDoNothing(),
      ];
    }
    case "receipt": {
      const r = w.receipt;
      return [
        db
          .insert(receipts)
          .values({ hash: r.hash, cluster: r.cluster, app: r.app, node: r.node, container: r.container, op: r.op, ts: r.ts, prevHash: r.prev_hash, body: JSON.stringify(r) })
          .onConflictDoNothing(),
      ];
    }
    case "block": {
      const b = w.block;
      const rows: BatchItem<"sqlite">[] = [
        db
          .insert(blocks)
          .values({ cluster: b.cluster, app: b.app, height: b.height, hash: w.hash, prev: b.prev, merkleRoot: b.merkle_root, count: b.count, body: JSON.stringify(b) })
          .onConflictDoNothing(),
      ];
      w.leaves.forEach((hash, leafIndex) => {
        rows.push(
          db
            .update(receipts)
            .set({ blockHeight: b.height, leafIndex })
            .where(and(eq(receipts.hash, hash), sql`${receipts.blockHeight} IS NULL`)),
        );
      });
      return rows;
    }
  }
}

/** Applies writes in one D1 batch (a transaction). Safe to repeat: every statement is idempotent. */
export async function applyLedgerWrites(d1: D1Database, writes: LedgerWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const db = ledger(d1);
  const items = writes.flatMap((w) => statements(db, w));
  await db.batch(items as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}
