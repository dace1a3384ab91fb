// Replays the control plane orders through the desired state: each order runs once (one at a
// time, next to the replicas), its verdict is saved, and the heartbeat reports it until the
// order leaves the desired state (the control plane has recorded it).
import path from "node:path";
import { readJsonFile, writeJsonAtomic, type DataDir } from "./data-dir.ts";
import type { ReplayOrder } from "../../protocol/desired-state.ts";
import type { Logger } from "./logger.ts";
import { replayReceipt } from "./replay.ts";

export interface ReplayReport {
  id: string;
  verdict: "match" | "mismatch" | "error";
  replay_receipt?: string;
  detail?: string;
}

export class ReplayOrders {
  private readonly file: string;
  private done: Record<string, ReplayReport>;
  private queue: ReplayOrder[] = [];
  private running: Promise<void> | null = null;
  private wanted = new Set<string>();

  constructor(
    private readonly dir: DataDir,
    private readonly log: Logger,
    private readonly onDone: () => void,
    private readonly runcBinary?: string,
  ) {
    this.file = path.join(dir.root, "state", "replays.json");
    this.done = readJsonFile<Record<string, ReplayReport>>(this.file) ?? {};
  }

  /** The orders of the latest desired state. */
  update(orders: ReplayOrder[]): void {
    this.wanted = new Set(orders.map((o) => o.id));
    const before = Object.keys(this.done).length;
    for (const id of Object.keys(this.done)) if (!this.wanted.has(id)) delete this.done[id]; // recorded by the control plane
    if (Object.keys(this.done).length !== before) writeJsonAtomic(this.file, this.done);
    for (const o of orders) if (!this.done[o.id] && !this.queue.some((q) => q.id === o.id)) this.queue.push(o);
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  reports(): ReplayReport[] {
    return Object.values(this.done).filter((r) => this.wanted.has(r.id));
  }

  private async drain(): Promise<void> {
    for (let o = this.queue.shift(); o; o = this.queue.shift()) {
      let report: ReplayReport;
      try {
        const r = await replayReceipt({ dataDir: this.dir.root, hash: o.receipt, log: this.log, runcBinary: this.runcBinary });
        report = { id: o.id, verdict: r.verdict, replay_receipt: r.receipt.hash };
      } catch (err) {
        report = { id: o.id, verdict: "error", detail: (err as Error).message.slice(0, 2000) };
      }
      this.log.info("replay finished", { order: o.id, receipt: o.receipt, verdict: report.verdict, detail: report.detail });
      this.done[o.id] = report;
      writeJsonAtomic(this.file, this.done);
      this.onDone();
    }
  }

  /** Resolves when the replay in progress (if any) is over. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}
