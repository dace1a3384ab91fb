import { and, asc, desc, eq, gte } from "drizzle-orm";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { ledger } from "./writes.ts";
import { auditEntries, blocks, receipts } from "./schema.ts";

/** Read side of the D1 ledger. Bodies are returned as stored, signatures untouched. */
export async function listAudit(d1: D1Database, cluster: string, fromSeq: number, limit: number): Promise<AuditEntry[]> {
  const rows = await ledger(d1)
    .select({ body: auditEntries.body })
    .from(auditEntries)
    .where(and(eq(auditEntries.cluster, cluster), gte(auditEntries.seq, fromSeq)))
    .orderBy(asc(auditEntries.seq))
    .limit(limit);
  return rows.map((r) => JSON.parse(r.body));
}

export async function listBlocks(d1: D1Database, cluster: string, app: string, fromHeight: number, limit: number): Promise<LogBlock[]> {
  const rows = await ledger(d1)
    .select({ body: blocks.body })
    .from(blocks)
    .where(and(eq(blocks.cluster, cluster), eq(blocks.app, app), gte(blocks.height, fromHeight)))
    .orderBy(asc(blocks.height))
    .limit(limit);
  return rows.map((r) => JSON.parse(r.body));
}

export async function getBlock(d1: D1Database, cluster: string, app: string, height: number): Promise<{ block: LogBlock; receipts: string[] } | null> {
  const db = ledger(d1);
  const [row] = await db
    .select({ body: blocks.body })
    .from(blocks)
    .where(and(eq(blocks.cluster, cluster), eq(blocks.app, app), eq(blocks.height, height)));
  if (!row) return null;
  const leaves = await blockLeaves(d1, cluster, app, height);
  return { block: JSON.parse(row.body), receipts: leaves };
}

export async function blockLeaves(d1: D1Database, cluster: string, app: string, height: number): Promise<string[]> {
  const rows = await ledger(d1)
    .select({ hash: receipts.hash })
    .from(receipts)
    .where(and(eq(receipts.cluster, cluster), eq(receipts.app, app), eq(receipts.blockHeight, height)))
    .orderBy(asc(receipts.leafIndex));
  return rows.map((r) => r.hash);
}

export async function getReceipt(d1: D1Database, hash: string): Promise<{ receipt: StepReceipt; cluster: string; app: string; height: number | null; leafIndex: number | null } | null> {
  const [row] = await ledger(d1)
    .select({ body: receipts.body, cluster: receipts.cluster, app: receipts.app, height: receipts.blockHeight, leafIndex: receipts.leafIndex })
    .from(receipts)
    .where(eq(receipts.hash, hash));
  if (!row) return null;
  return { receipt: JSON.parse(row.body), cluster: row.cluster, app: row.app, height: row.height, leafIndex: row.leafIndex };
}

export async function blockReceipts(d1: D1Database, cluster: string, app: string, height: number): Promise<StepReceipt[]> {
  const rows = await ledger(d1)
    .select({ body: receipts.body })
    .from(receipts)
    .where(and(eq(receipts.cluster, cluster), eq(receipts.app, app), eq(receipts.blockHeight, height)))
    .orderBy(asc(receipts.leafIndex));
  return rows.map((r) => JSON.parse(r.body));
}

/** The apps of a cluster that have sealed blocks, by name (the console's explorer). */
export async function listApps(d1: D1Database, cluster: string): Promise<string[]> {
  const rows = await ledger(d1).selectDistinct({ app: blocks.app }).from(blocks).where(eq(blocks.cluster, cluster)).orderBy(asc(blocks.app));
  return rows.map((r) => r.app);
}

/** The newest sealed block's height of an app, or null before its first seal. */
export async function latestBlockHeight(d1: D1Database, cluster: string, app: string): Promise<number | null> {
  const [row] = await ledger(d1)
    .select({ height: blocks.height })
    .from(blocks)
    .where(and(eq(blocks.cluster, cluster), eq(blocks.app, app)))
    .orderBy(desc(blocks.height))
    .limit(1);
  return row?.height ?? null;
}
