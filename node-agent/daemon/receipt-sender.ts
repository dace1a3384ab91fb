// Ships journaled receipts to the notary in batches (100 receipts, or whatever waited 1 s),
// resending until acknowledged. Transient failures back off briefly (the outage should end
// soon and the heartbeat kicks us when it does); a receipt the notary refuses for good (422
// names it) is set aside in rejected.jsonl so the ones behind it are not held hostage.
import fs from "node:fs";
import path from "node:path";
import { ApiError } from "../../protocol/api-client.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { isTransient, type ControlPlane } from "./control-plane.ts";
import type { Logger } from "./logger.ts";
import type { ReceiptJournal } from "./receipt-journal.ts";
import { Wakeup } from "./wakeup.ts";

export interface SenderOptions {
  batchMax?: number;
  lingerMs?: number;
  /** longest pause between retries while the control plane is unreachable */
  retryMaxMs?: number;
}

/** The receipt index a 422 names (problem.index, or field "receipts[i]…"). */
export function rejectedIndex(err: unknown): number | null {
  if (!(err instanceof ApiError) || (err.status !== 422 && err.status !== 400)) return null;
  if (typeof err.problem.index === "number") return err.problem.index;
  const m = /receipts\[(\d+)\]/.exec(String(err.problem.field ?? "") + " " + String(err.problem.detail ?? ""));
  return m ? Number(m[1]) : null;
}

export class ReceiptSender {
  private readonly wakeup = new Wakeup();
  private failures = 0;
  private readonly batchMax: number;
  private readonly lingerMs: number;
  private readonly retryMaxMs: number;
  sent = 0;

  constructor(
    private readonly journal: ReceiptJournal,
    private readonly inbox: string,
    private readonly cp: ControlPlane,
    private readonly log: Logger,
    opts: SenderOptions = {},
  ) {
    this.batchMax = opts.batchMax ?? 100;
    this.lingerMs = opts.lingerMs ?? 1000;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
  }

  /** A receipt was journaled (or connectivity is back): send soon. */
  notify(): void {
    this.wakeup.wake();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const idle = this.journal.pending === 0 && this.inboxFiles().length === 0;
      await this.wakeup.wait(idle ? 60_000 : this.failures ? this.retryDelay() : 0, signal);
      if (signal.aborted) break;
      // Linger so receipts born together travel together, unless a full batch is waiting.
      if (this.failures === 0 && this.journal.pending < this.batchMax) await new Wakeup().wait(this.lingerMs, signal);
      await this.sendAll().catch((err) => this.log.error("receipt sender failed", { error: (err as Error).message }));
    }
  }

  private retryDelay(): number {
    return Math.min(this.retryMaxMs, 250 * 2 ** Math.min(this.failures, 10));
  }

  /** Sends everything pending; returns true when nothing is left. */
  async sendAll(): Promise<boolean> {
    for (;;) {
      const batch = this.journal.batch(this.batchMax);
      if (!batch) break;
      if (batch.receipts.length === 0) {
        this.journal.ack(batch.end, batch.covered);
        continue;
      }
      if (!(await this.send(batch.receipts))) return false;
      this.journal.ack(batch.end, batch.covered);
    }
    return this.sendInbox();
  }

  /** One batch: true once acknowledged (or its refused receipts set aside). */
  private async send(receipts: StepReceipt[]): Promise<boolean> {
    let rest = receipts;
    while (rest.length > 0) {
      try {
        const res = await this.cp.receipts(rest);
        this.sent += res.accepted;
        if (this.failures) this.log.info("control plane reachable again; receipts flowing", { accepted: res.accepted, duplicates: res.duplicates });
        this.failures = 0;
        this.log.debug("receipts sent", { accepted: res.accepted, duplicates: res.duplicates });
        return true;
      } catch (err) {
        const i = rejectedIndex(err);
        if (i !== null && i < rest.length) {
          const bad = rest[i]!;
          this.log.error("notary refused a receipt; set aside in spool/rejected.jsonl", { receipt: bad.hash, container: bad.container, op: bad.op, error: (err as Error).message });
          this.journal.reject(bad, (err as Error).message);
          rest = rest.filter((_, j) => j !== i);
          continue;
        }
        this.failures++;
        const level = isTransient(err) ? "warn" : "error";
        if (this.failures === 1 || this.failures % 20 === 0) this.log[level]("receipts not delivered; kept in the spool", { pending: this.journal.pending, error: (err as Error).message });
        return false;
      }
    }
    return true;
  }

  private inboxFiles(): string[] {
    return fs.existsSync(this.inbox) ? fs.readdirSync(this.inbox).filter((n) => n.endsWith(".json")).sort() : [];
  }

  private async sendInbox(): Promise<boolean> {
    for (const name of this.inboxFiles()) {
      const file = path.join(this.inbox, name);
      const r = JSON.parse(fs.readFileSync(file, "utf8")) as StepReceipt;
      try {
        await this.cp.receipts([r]);
      } catch (err) {
        if (rejectedIndex(err) === null) {
          this.failures++;
          return false;
        }
        this.journal.reject(r, (err as Error).message);
      }
      fs.rmSync(file, { force: true });
    }
    return true;
  }
}
