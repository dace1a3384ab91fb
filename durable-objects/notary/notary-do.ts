import { GENESIS } from "../../protocol/hash.ts";
import { signChainHeadSync, type ChainHead } from "../../protocol/head.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { isoNow } from "../../protocol/time.ts";
import { foreignRefusal, planAdmission, type Admitted } from "../../domain/notary/admission.ts";
import { afterDelivery, sealedDelivery, type DeliveryAnswer, type SealedEvent } from "../../domain/notary/delivery.ts";
import { parseNotaryName, type NotaryIdentity } from "../../domain/notary/identity.ts";
import { fullBlocks, stats, windowDue, type NotaryLimits, type NotaryStats, type SealPolicy } from "../../domain/notary/sealing.ts";
import { BaseDO } from "../shared/base-do.ts";
import type { OutboxRef } from "../shared/outbox.ts";
import type { LedgerWrite } from "../../domain/ledger/writes.ts";
import { attempt, err, ok, reject, type Result } from "../../domain/result.ts";
import { mldsaSyncSigner, syncSigner } from "../shared/sync-signer.ts";
import migrations from "./drizzle/migrations.js";
import { LEGACY_NOTARY_STEPS } from "./legacy-schema.ts";
import { buildBlock } from "./seal.ts";
import type { TerminalReceipt } from "../../domain/agreements/cage-verdict.ts";
import { NotaryStore } from "./store.ts";
import { WitnessDesk, witnessFailure } from "../shared/witness-desk.ts";
import { TlogStore, entryBytes, logVkey, type TlogHead } from "../shared/tlog-store.ts";
import { logOrigin } from "../../domain/notary/tlog.ts";
import { tlogLeafHash } from "../../protocol/c2sp/tlog.ts";
import { toBase64 } from "../../protocol/bytes.ts";

export type { NotaryLimits, NotaryStats };

const SEAL_TASK = "seal";
const DELIVER_TASK = "deliver";
/** Send the newest checkpoint to the cluster's witnesses (PROTOCOL.md §7); retried with back-off. */
const WITNESS_TASK = "witness";
/**
 * Unsealed receipts reach D1 this long after the first of them was committed, by the alarm, in
 * one D1 call for everything committed meanwhile: D1 is not on the submit's path. Sealed blocks
 * (and the receipts before them) are flushed before a seal answers.
 */
export const LEDGER_FLUSH_DELAY_MS = 1_000;

/**
 * One per (cluster, app), addressed by name (domain/notary/identity.ts): the only writer of that
 * app's LogBlock height. Receipts are verified (signature, signer) by the Worker before they
 * reach it (workers/lib/notary-admit.ts) and checked against the chain here before they are
 * admitted; blocks are sealed by count, by window (alarm) or on demand, signed by the notary key
 * and written to D1 through the outbox. The decisions live in domain/notary; this class runs
 * them against its store, in transactions, and owns the alarm.
 */
export class NotaryDO extends BaseDO {
  private readonly store = new NotaryStore(this.db, this.sql);
  /** The app's C2SP log (PROTOCOL.md §6): its receipts in sealing order. */
  /** What the cluster's witnesses cosigned of this log (PROTOCOL.md §7). */
  private readonly witnesses = new WitnessDesk(this.ctx.storage.kv);
  private readonly tlog = new TlogStore(this.sql, (from, count) => this.store.tlogEntries(from, count));

  protected schema() {
    return { bundle: migrations, legacy: LEGACY_NOTARY_STEPS };
  }

  /** Anyone may probe any app's log: an app that never had a receipt keeps no storage (reads answer from nothing). */
  protected deferSchema(): boolean {
    return true;
  }

  protected outboxDelayMs(): number {
    return LEDGER_FLUSH_DELAY_MS;
  }

  protected resolveOutboxRef(ref: OutboxRef): LedgerWrite {
    if (ref.table !== "receipts") return super.resolveOutboxRef(ref);
    return { kind: "receipts", bodies: this.store.bodiesBetween(ref.from, ref.to) };
  }

  protected async runTask(task: string): Promise<void> {
    if (task === SEAL_TASK) {
      this.ctx.storage.transactionSync(() => {
        this.schedule.done(SEAL_TASK);
        while (this.sealOne()) continue;
      });
      await this.flushSoon();
      // A failed delivery is the deliver task's to retry (sealOne armed it, with its own
      // back-off): thrown from here it would put the seal task back on the retry clock, and
      // the window would no longer decide when blocks are sealed.
      await this.deliver().catch(() => {});
    } else if (task === DELIVER_TASK) {
      await this.deliver();
    } else if (task === WITNESS_TASK) {
      await this.witness();
    } else {
      this.schedule.done(task);
    }
  }

  /** The (cluster, app) this instance notarises, from the name the Worker addressed it by. */
  private identity(): NotaryIdentity {
    return parseNotaryName(this.ctx.id.name) ?? reject(500, "notary instance not addressed by <cluster>/<app>");
  }

  /** Seals one block from the oldest pending receipts; returns null when nothing is pending. */
  private sealOne(): LogBlock | null {
    const last = this.store.lastBlock();
    const pending = this.store.pending(this.store.limits().max_receipts_per_block, last?.last_seq ?? 0);
    if (pending.length === 0) return null;
    const { cluster, app } = this.identity();
    const height = (last?.height ?? 0) + 1;
    const prev = last?.hash;
    const signer = syncSigner(this.env.NOTARY_KEY, "NOTARY_KEY");
    const mldsa = (this.store.limits() as SealPolicy).quantum_safe ? mldsaSyncSigner(this.env.NOTARY_MLDSA_KEY, "NOTARY_MLDSA_KEY") : undefined;
    // The log grows with the block in this transaction; the block binds the checkpoint it makes.
    if (height > 1 && this.tlog.size() === 0) this.tlog.append(this.store.backfillTlog());
    const tlogStart = this.tlog.size();
    // Bodies stored as their JCS are the log entries as they are (PROTOCOL.md §13.1).
    const tree = this.tlog.appendLeafHashes(pending.map((p) => (p.leaf ? new Uint8Array(p.leaf) : tlogLeafHash(p.entry ? new Uint8Array(p.entry) : entryBytes(p.body!)))));
    const head = this.tlog.checkpoint(logOrigin(this.env, cluster, app), signer, tree);
    const { block, hash } = buildBlock(cluster, app, height, prev, pending, signer, { size: head.size, root: head.root }, mldsa);
    if (mldsa) this.store.setMldsaFrom(height);
    this.store.insertBlock(height, hash, block, pending, tlogStart);
    this.outbox.push({ kind: "block", block, hash, leaves: pending.map((p) => p.hash) });
    this.store.addDelivery(sealedDelivery({ cluster, app, height, hash, count: block.count, merkle_root: block.merkle_root }));
    // Never blocks the seal: the checkpoint is served at once, cosignatures join it when they arrive.
    // A log with witnesses submits at once; the others find out (from the cluster) with the delivery.
    const now = Date.now();
    this.armWindow([
      [DELIVER_TASK, now + 2_000],
      [WITNESS_TASK, this.witnesses.any() ? now : now + 2_000],
    ]);
    return block;
  }

  /** Keeps the window alarm on the oldest pending receipt; schedules `also` with it (one setAlarm). */
  private armWindow(also: [string, number][] = []): void {
    const due = windowDue(this.store.oldestPendingAt(), this.store.limits());
    if (due != null) return this.schedule.atMany([...also, [SEAL_TASK, due]]);
    if (also.length) this.schedule.atMany(also);
    if (this.schedule.has(SEAL_TASK)) this.schedule.done(SEAL_TASK);
  }

  /** Sends LogBlockSealed events to the cluster's audit chain; idempotent on the ClusterDO side. */
  private async deliver(): Promise<void> {
    for (const row of this.store.deliveries(50)) {
      const e = JSON.parse(row.payload) as SealedEvent;
      const stub = this.env.CLUSTER.get(this.env.CLUSTER.idFromName(e.cluster));
      const res = (await stub.recordEvent("LogBlockSealed", "system", `${e.app}#${e.height}`, { ...e }, row.key)) as DeliveryAnswer;
      if (afterDelivery(res) === "retry") throw new Error(!res.ok ? res.problem.detail : "delivery failed");
      this.store.dropDelivery(row.key);
    }
    if (this.store.deliveriesLeft() === 0 && this.schedule.has(DELIVER_TASK)) this.schedule.done(DELIVER_TASK);
  }

  // -- RPC -------------------------------------------------------------------------------------

  /**
   * Admits a batch of receipts ALREADY VERIFIED, atomically: chain rules and the insert run in
   * one transaction, sealing full blocks. `entries` are the receipts' JCS texts, each yielded by
   * the check of its hash and node signature in the Worker (workers/lib/notary-admit.ts,
   * `verifyThenAdmit`, the only caller): this DO does not verify signatures, it sequences. It is
   * reachable only through a binding to this class (this Worker's, or a same-account Worker's
   * that declares one), never from a request.
   * What it still checks itself: that each receipt is of its own (cluster, app), the chain rules,
   * and it takes each leaf hash from the very text it stores. `limits` are the cluster's current
   * ones; `indexes` place the receipts in the client's request.
   */
  async admitVerified(limits: NotaryLimits, entries: string[], indexes: number[] = entries.map((_, i) => i)): Promise<Result<Admitted>> {
    const owner = attempt(() => this.identity());
    if (!owner.ok) return owner;
    // The texts cross the RPC, not objects: cloning and parsing them cost ~1.75 µs a receipt,
    // cloning the objects 4.25 (notary-phases bench), and the fields checked are the stored text's.
    const receipts = entries.map((e) => JSON.parse(e) as StepReceipt);
    for (let i = 0; i < receipts.length; i++) {
      const foreign = foreignRefusal(owner.value, receipts[i], indexes[i]);
      if (foreign) return err(foreign.status, foreign.detail, { field: foreign.field, index: foreign.index });
    }
    await this.ensureSchema();
    const res = this.admitBatch(limits, receipts, indexes, entries);
    if (res.ok) {
      if (res.value.sealed.length) {
        // A sealed block (and the receipts before it) is in D1 when the call answers, as
        // an explicit seal's is: `enc ledger verify` and the block routes may read it next.
        await this.flushSoon();
        await this.deliver().catch(() => {});
      }
      // Otherwise the batch is durable once committed here (its outbox row and the flush alarm
      // are in the same transaction): the alarm writes it to D1 within LEDGER_FLUSH_DELAY_MS,
      // with every batch committed meanwhile in the same D1 call (docs/PERFORMANCE.md).
    }
    return res;
  }

  /**
   * Read barrier for the app's D1 rows: resolves once everything committed before the call is
   * in D1 (or the flush failed and is left to the alarm; the reader then sees D1 as it is).
   */
  async flushLedger(): Promise<void> {
    if (!this.blank) await this.flushSoon();
  }

  /**
   * The transactional half of `admitVerified`, for receipts already verified. `entries` are their JCS
   * texts in the same order.
   */
  private admitBatch(limits: NotaryLimits, receipts: StepReceipt[], indexes: number[], entries: readonly string[]): Result<Admitted> {
    return attempt(() =>
      this.ctx.storage.transactionSync(() => {
        const retimed = this.store.setLimits(limits);
        const plan = planAdmission(receipts, indexes, this.store.lookupBatch(receipts));
        if (!plan.ok) reject(plan.status, plan.detail, { field: plan.field, index: plan.index });
        // One statement for the rows and one outbox row for the batch naming their seq range:
        // the flush sends the very JSON text stored here, which is not written twice.
        const entryOf = new Map(receipts.map((r, i) => [r, entries[i]]));
        const range = this.store.insertReceipts(plan.admit.map((r) => entryOf.get(r)!), Date.now());
        if (range) this.outbox.push({ kind: "ref", table: "receipts", ...range });
        const sealed: number[] = [];
        for (let n = fullBlocks(this.store.pendingCountFrom(limits.max_receipts_per_block), limits); n > 0; n--) sealed.push(this.sealOne()!.height);
        // Newer receipts move no window: it is re-armed only after a seal, for new limits, or
        // when none was set (nothing was pending). Its upsert and setAlarm cost 3 µs a receipt.
        if (sealed.length || retimed || !this.schedule.has(SEAL_TASK)) this.armWindow();
        return { accepted: plan.admit.length, duplicates: plan.duplicates, sealed };
      }),
    );
  }

  /** Seals whatever is pending now (up to one block); null when nothing is pending. */
  async seal(limits: NotaryLimits): Promise<Result<LogBlock | null>> {
    if (this.blank) return ok(null);
    const res = attempt(() =>
      this.ctx.storage.transactionSync(() => {
        this.store.setLimits(limits);
        return this.sealOne();
      }),
    );
    if (res.ok && res.value) {
      await this.flushSoon();
      await this.deliver().catch(() => {});
    }
    return res;
  }

  /**
   * The app's signed head: height and last block hash from this DO's own storage, which D1 only
   * mirrors, so deleting blocks there cannot shorten it. Flushed first, so an honest D1 has them.
   */
  async head(): Promise<Result<ChainHead>> {
    const owner = attempt(() => this.identity());
    if (!owner.ok) return owner;
    if (!this.blank) await this.flushSoon();
    const { cluster, app } = owner.value;
    return attempt(() => {
      const size = this.blank ? 0 : this.store.height();
      const head_hash = size === 0 ? GENESIS : (this.store.blockHash(size) ?? GENESIS);
      return signChainHeadSync({ v: 1, kind: "log", cluster, app, size, head_hash, issued_at: isoNow() }, syncSigner(this.env.NOTARY_KEY, "NOTARY_KEY"));
    });
  }

  // -- Transparency log (PROTOCOL.md §6) --------------------------------------------------------

  /** The newest signed checkpoint, or null before the first seal. Public. */
  logCheckpoint(): TlogHead | null {
    if (this.blank) return null;
    const head = this.tlog.latest();
    return head && this.witnesses.cosigned(head);
  }

  /**
   * Submits the newest checkpoint to each of the cluster's witnesses that has not cosigned it. A
   * failure throws, so the alarm retries with back-off; a newer checkpoint keeps the task due.
   */
  private async witness(): Promise<void> {
    const head = this.tlog.latest();
    const { cluster } = this.identity();
    const configured = head ? await this.env.CLUSTER.get(this.env.CLUSTER.idFromName(cluster)).witnessEndpoints() : [];
    if (!head || configured.length === 0) return this.schedule.done(WITNESS_TASK);
    const round = await this.witnesses.submit(configured, head, (m, n) => this.tlog.consistency(m, n), (req) => fetch(req));
    if (this.tlog.latest()?.size !== head.size) return;
    if (round.failures.length) throw witnessFailure(round.failures);
    this.schedule.done(WITNESS_TASK);
  }

  /** `GET …/log/`: origin, vkey and size. Public. */
  logInfo(): Result<{ origin: string; vkey: string; size: number }> {
    return attempt(() => {
      const { cluster, app } = this.identity();
      if (this.blank) reject(404, `no log of ${cluster}/${app}: it never had a receipt`, { field: "app" });
      const origin = logOrigin(this.env, cluster, app);
      return { origin, vkey: logVkey(origin, syncSigner(this.env.NOTARY_KEY, "NOTARY_KEY").publicKey), size: this.tlog.latest()?.size ?? 0 };
    });
  }

  /** A tile by its C2SP path (`tile/…`); 404 beyond the newest checkpoint. The caller checked access. */
  logTile(path: string): Result<{ bytes: Uint8Array; full: boolean }> {
    return attempt(() => (this.blank ? reject(404, "no log: this app never had a receipt", { field: "app" }) : this.tlog.tileAt(path)));
  }

  /** A sealed receipt's place in the app log with its proof against the newest checkpoint. */
  logInclusion(hash: string): { index: number; size: number; proof: string[]; checkpoint: string } | null {
    if (this.blank) return null;
    const index = this.store.tlogIndexOf(hash);
    const head = this.tlog.latest();
    if (index == null || !head || index >= head.size) return null;
    return { index, size: head.size, proof: this.tlog.inclusion(index, head.size).map(toBase64), checkpoint: head.note };
  }

  /** How this app's containers ended (CueCage verdicts compare their witness roots). */
  terminalReceipts(limit = 1000): TerminalReceipt[] {
    if (this.blank) return [];
    return this.store.terminal(limit);
  }

  stats(limits: NotaryLimits): NotaryStats {
    if (this.blank) return stats(0, 0, limits);
    return stats(this.store.pendingCount(), this.store.height(), limits, this.store.mldsaFrom());
  }
}
