import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { verifyReceipt } from "../../protocol/signed.ts";
import type { ClusterConfig } from "../../domain/schemas/cluster.ts";
import { BaseDO } from "../shared/base-do.ts";
import { attempt, err, reject, type Result } from "../../domain/result.ts";
import { all, one } from "../shared/rows.ts";
import { syncSigner } from "../shared/sync-signer.ts";
import { admit } from "./chain.ts";
import migrations from "./drizzle/migrations.js";
import { LEGACY_NOTARY_STEPS } from "./legacy-schema.ts";
import { buildBlock, type PendingReceipt } from "./seal.ts";

export type NotaryLimits = ClusterConfig["notary"];

export interface NotaryStats {
  pending_receipts: number;
  current_height: number;
  max_receipts_per_block: number;
  max_block_window_s: number;
}

const SEAL_TASK = "seal";
const DELIVER_TASK = "deliver";

/**
 * One per (cluster, app): the only writer of that app's LogBlock height. Receipts are verified
 * (signature, signer, chain) before they are admitted; blocks are sealed by count, by window
 * (alarm) or on demand, signed by the notary key and written to D1 through the outbox.
 */
export class NotaryDO extends BaseDO {
  protected schema() {
    return { bundle: migrations, legacy: LEGACY_NOTARY_STEPS };
  }

  protected async runTask(task: string): Promise<void> {
    if (task === SEAL_TASK) {
      this.ctx.storage.transactionSync(() => {
        this.schedule.done(SEAL_TASK);
        while (this.sealOne()) {}
      });
      await this.flushSoon();
      await this.deliver();
    } else if (task === DELIVER_TASK) {
      await this.deliver();
    } else {
      this.schedule.done(task);
    }
  }

  // -- state -----------------------------------------------------------------------------------

  private meta(key: string): string | undefined {
    return one<{ value: string }>(this.sql, "SELECT value FROM meta WHERE key = ?", key)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  private bind(cluster: string, app: string, limits: NotaryLimits): void {
    const bound = this.meta("cluster");
    if (bound && (bound !== cluster || this.meta("app") !== app)) reject(500, "notary instance bound to another app");
    if (!bound) {
      this.setMeta("cluster", cluster);
      this.setMeta("app", app);
    }
    this.setMeta("limits", JSON.stringify(limits));
  }

  private limits(): NotaryLimits {
    const l = this.meta("limits");
    return l ? JSON.parse(l) : { max_receipts_per_block: 100, max_block_window_s: 300 };
  }

  private pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM receipts WHERE block_height IS NULL").one().n;
  }

  private height(): number {
    return one<{ h: number | null }>(this.sql, "SELECT MAX(height) AS h FROM blocks")?.h ?? 0;
  }

  /** Seals one block from the oldest pending receipts; returns null when nothing is pending. */
  private sealOne(): LogBlock | null {
    const { max_receipts_per_block: max } = this.limits();
    const pending = all<PendingReceipt & { seq: number }>(
      this.sql,
      "SELECT seq, hash, ts FROM receipts WHERE block_height IS NULL ORDER BY seq LIMIT ?",
      max,
    );
    if (pending.length === 0) return null;
    const cluster = this.meta("cluster")!;
    const app = this.meta("app")!;
    const height = this.height() + 1;
    const prev = one<{ hash: string }>(this.sql, "SELECT hash FROM blocks WHERE height = ?", height - 1)?.hash;
    const { block, hash } = buildBlock(cluster, app, height, prev, pending, syncSigner(this.env.NOTARY_KEY, "NOTARY_KEY"));
    this.sql.exec("INSERT INTO blocks (height, hash, body) VALUES (?, ?, ?)", height, hash, JSON.stringify(block));
    pending.forEach((p, i) => this.sql.exec("UPDATE receipts SET block_height = ?, leaf_index = ? WHERE seq = ?", height, i, p.seq));
    this.outbox.push({ kind: "block", block, hash, leaves: pending.map((p) => p.hash) });
    const event = { cluster, app, height, hash, count: block.count, merkle_root: block.merkle_root };
    this.sql.exec("INSERT OR IGNORE INTO deliveries (key, payload) VALUES (?, ?)", `sealed:${hash}`, JSON.stringify(event));
    this.schedule.at(DELIVER_TASK, Date.now() + 2_000);
    this.armWindow();
    return block;
  }

  /** Keeps the window alarm on the oldest pending receipt. */
  private armWindow(): void {
    const oldest = one<{ t: number | null }>(this.sql, "SELECT MIN(accepted_at) AS t FROM receipts WHERE block_height IS NULL")?.t;
    if (oldest == null) {
      if (this.schedule.has(SEAL_TASK)) this.schedule.done(SEAL_TASK);
    } else {
      this.schedule.at(SEAL_TASK, oldest + this.limits().max_block_window_s * 1000);
    }
  }

  /** Sends LogBlockSealed events to the cluster's audit chain; idempotent on the ClusterDO side. */
  private async deliver(): Promise<void> {
    const rows = all<{ key: string; payload: string }>(this.sql, "SELECT key, payload FROM deliveries ORDER BY rowid LIMIT 50");
    for (const row of rows) {
      const e = JSON.parse(row.payload) as { cluster: string; app: string; height: number };
      const stub = this.env.CLUSTER.get(this.env.CLUSTER.idFromName(e.cluster));
      const res = (await stub.recordEvent("LogBlockSealed", "system", `${e.app}#${e.height}`, e, row.key)) as Result<{ seq: number }>;
      if (!res.ok && res.problem.status >= 500) throw new Error(res.problem.detail);
      this.sql.exec("DELETE FROM deliveries WHERE key = ?", row.key);
    }
    const left = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries").one().n;
    if (left === 0 && this.schedule.has(DELIVER_TASK)) this.schedule.done(DELIVER_TASK);
  }

  // -- RPC -------------------------------------------------------------------------------------

  /**
   * Admits a batch atomically: signatures are checked first (in parallel, outside the
   * transaction), then chain rules and inserts run in one transaction, sealing full blocks.
   */
  async submit(cluster: string, app: string, limits: NotaryLimits, receipts: StepReceipt[], indexes: number[] = receipts.map((_, i) => i)): Promise<Result<{ accepted: number; duplicates: number; sealed: number[] }>> {
    const checks = await Promise.all(receipts.map((r) => verifyReceipt(r)));
    for (let i = 0; i < receipts.length; i++) {
      const c = checks[i];
      const at = indexes[i];
      if (!c.ok) return err(422, `receipt ${at}: ${c.reason}`, { field: `receipts[${at}]`, index: at });
      if (receipts[i].cluster !== cluster || receipts[i].app !== app) {
        return err(422, `receipt ${at}: belongs to ${receipts[i].cluster}/${receipts[i].app}`, { field: `receipts[${at}].app`, index: at });
      }
    }
    const res = this.admitBatch(cluster, app, limits, receipts, indexes);
    if (res.ok) {
      await this.flushSoon();
      if (res.value.sealed.length) await this.deliver().catch(() => {});
    }
    return res;
  }

  /** The transactional half of `submit`, for receipts already verified. Not an RPC entry point. */
  private admitBatch(cluster: string, app: string, limits: NotaryLimits, receipts: StepReceipt[], indexes: number[]) {
    return attempt(() =>
      this.ctx.storage.transactionSync(() => {
        this.bind(cluster, app, limits);
        let accepted = 0;
        const now = Date.now();
        receipts.forEach((r, i) => {
          if (!admit(this.sql, r, indexes[i])) return;
          this.sql.exec(
            "INSERT INTO receipts (hash, node, container, prev_hash, ts, accepted_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            r.hash, r.node, r.container, r.prev_hash, r.ts, now, JSON.stringify(r),
          );
          this.outbox.push({ kind: "receipt", receipt: r });
          accepted++;
        });
        const sealed: number[] = [];
        while (this.pendingCount() >= limits.max_receipts_per_block) sealed.push(this.sealOne()!.height);
        this.armWindow();
        return { accepted, duplicates: receipts.length - accepted, sealed };
      }),
    );
  }

  /** Seals whatever is pending now (up to one block); null when nothing is pending. */
  async seal(cluster: string, app: string, limits: NotaryLimits): Promise<Result<LogBlock | null>> {
    const res = attempt(() =>
      this.ctx.storage.transactionSync(() => {
        this.bind(cluster, app, limits);
        return this.sealOne();
      }),
    );
    if (res.ok && res.value) {
      await this.flushSoon();
      await this.deliver().catch(() => {});
    }
    return res;
  }

  stats(limits: NotaryLimits): NotaryStats {
    return {
      pending_receipts: this.pendingCount(),
      current_height: this.height(),
      max_receipts_per_block: limits.max_receipts_per_block,
      max_block_window_s: limits.max_block_window_s,
    };
  }
}
