import { and, asc, count, eq, isNull, max, min, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { StepReceipt } from "../../protocol/schemas.ts";
import type { ChainLookup } from "../../domain/notary/admission.ts";
import { DEFAULT_LIMITS, type NotaryLimits } from "../../domain/notary/sealing.ts";
import { blocks, deliveries, meta, receipts } from "./schema.ts";

const p = sql.placeholder;

/** The NotaryDO's tables behind typed calls; every write runs inside the caller's transaction. */
export class NotaryStore implements ChainLookup {
  // The per-receipt queries of ingest, built once: building drizzle SQL per call would cost more than running it.
  private readonly byHash;
  private readonly follower;
  private readonly insert;
  private readonly pendingN;
  private readonly place;

  constructor(private readonly db: DrizzleSqliteDODatabase) {
    this.byHash = db.select({ node: receipts.node, container: receipts.container }).from(receipts).where(eq(receipts.hash, p("hash"))).prepare();
    this.follower = db
      .select({ hash: receipts.hash })
      .from(receipts)
      .where(and(eq(receipts.node, p("node")), eq(receipts.container, p("container")), eq(receipts.prev_hash, p("prev"))))
      .prepare();
    this.insert = db
      .insert(receipts)
      .values({ hash: p("hash"), node: p("node"), container: p("container"), prev_hash: p("prev_hash"), ts: p("ts"), accepted_at: p("accepted_at"), body: p("body") })
      .prepare();
    this.pendingN = db.select({ n: count() }).from(receipts).where(isNull(receipts.block_height)).prepare();
    this.place = db
      .update(receipts)
      .set({ block_height: sql`${p("height")}`, leaf_index: sql`${p("leaf")}` })
      .where(eq(receipts.seq, p("seq")))
      .prepare();
  }

  find(hash: string): { node: string; container: string } | undefined {
    return this.byHash.get({ hash });
  }

  successor(node: string, container: string, prev: string): string | undefined {
    return this.follower.get({ node, container, prev })?.hash;
  }

  insertReceipt(r: StepReceipt, acceptedAt: number): void {
    this.insert.run({ hash: r.hash, node: r.node, container: r.container, prev_hash: r.prev_hash, ts: r.ts, accepted_at: acceptedAt, body: JSON.stringify(r) });
  }

  pendingCount(): number {
    return this.pendingN.get()!.n;
  }

  /** The oldest pending receipts in sealing order. */
  pending(limit: number): { seq: number; hash: string; ts: string }[] {
    return this.db
      .select({ seq: receipts.seq, hash: receipts.hash, ts: receipts.ts })
      .from(receipts)
      .where(isNull(receipts.block_height))
      .orderBy(asc(receipts.seq))
      .limit(limit)
      .all();
  }

  oldestPendingAt(): number | null {
    return this.db.select({ t: min(receipts.accepted_at) }).from(receipts).where(isNull(receipts.block_height)).get()?.t ?? null;
  }

  height(): number {
    return this.db.select({ h: max(blocks.height) }).from(blocks).get()?.h ?? 0;
  }

  blockHash(height: number): string | undefined {
    return this.db.select({ hash: blocks.hash }).from(blocks).where(eq(blocks.height, height)).get()?.hash;
  }

  /** Records a sealed block and places its receipts, in order, as its leaves. */
  insertBlock(height: number, hash: string, body: unknown, leaves: readonly { seq: number }[]): void {
    this.db.insert(blocks).values({ height, hash, body: JSON.stringify(body) }).run();
    leaves.forEach((leaf, i) => this.place.run({ height, leaf: i, seq: leaf.seq }));
  }

  limits(): NotaryLimits {
    const l = this.db.select({ value: meta.value }).from(meta).where(eq(meta.key, "limits")).get()?.value;
    return l ? (JSON.parse(l) as NotaryLimits) : DEFAULT_LIMITS;
  }

  /** The cluster's limits as last told, so the window alarm seals by them with no caller. */
  setLimits(limits: NotaryLimits): void {
    const value = JSON.stringify(limits);
    this.db.insert(meta).values({ key: "limits", value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
  }

  addDelivery(d: { key: string; payload: string }): void {
    this.db.insert(deliveries).values(d).onConflictDoNothing().run();
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
