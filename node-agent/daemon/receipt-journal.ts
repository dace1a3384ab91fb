// The receipt spool: an append-only journal of every receipt this node signed, in segment files,
// with an acknowledged position. A receipt exists once its line is fsynced here; the sender ships
// from the acknowledged position onwards and moves it only after the notary answered 202. A crash
// between the answer and the move resends a batch, which the notary counts as duplicates.
import fs from "node:fs";
import path from "node:path";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { readJsonFile, writeJsonAtomic } from "./data-dir.ts";

export interface Position {
  seg: number;
  offset: number;
}

const SEGMENT_MAX = 1 << 20;
export const INDEX_FILE = "index.jsonl";

export interface IndexLine {
  h: string;
  c: string;
  a: string;
  op: string;
  w?: string;
}

/** One line per receipt (hash → container, app, op, witness root): what replay looks up. */
export function appendIndex(spoolDir: string, r: StepReceipt): void {
  const idx: IndexLine = { h: r.hash, c: r.container, a: r.app, op: r.op };
  if (r.witness_root) idx.w = r.witness_root;
  // One short O_APPEND write: safe next to the daemon appending from another process.
  fs.appendFileSync(path.join(spoolDir, INDEX_FILE), JSON.stringify(idx) + "\n");
}

export function* readIndex(spoolDir: string): Generator<IndexLine> {
  const file = path.join(spoolDir, INDEX_FILE);
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as IndexLine;
    } catch {
      // a torn last line after a crash
    }
  }
}
const segName = (n: number) => `seg-${String(n).padStart(8, "0")}.jsonl`;

export class ReceiptJournal {
  private readonly ackFile: string;
  private readonly rejectedFile: string;
  private current: number;
  private unacked = 0;
  private readonly rejected = new Set<string>();

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.ackFile = path.join(dir, "acked.json");
    this.rejectedFile = path.join(dir, "rejected.jsonl");
    const segs = this.segments();
    this.current = segs.at(-1) ?? this.acked().seg;
    this.repairTail();
    if (fs.existsSync(this.rejectedFile)) {
      for (const line of fs.readFileSync(this.rejectedFile, "utf8").split("\n")) {
        try {
          this.rejected.add((JSON.parse(line) as { receipt: StepReceipt }).receipt.hash);
        } catch {
          // blank or torn line
        }
      }
    }
    for (const _ of this.unackedReceipts()) this.unacked++;
  }

  private segments(): number[] {
    return fs
      .readdirSync(this.dir)
      .map((n) => /^seg-(\d+)\.jsonl$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private file(seg: number): string {
    return path.join(this.dir, segName(seg));
  }

  /** A crash mid-append can leave half a line: it was never acknowledged to anyone, so it goes. */
  private repairTail(): void {
    const f = this.file(this.current);
    if (!fs.existsSync(f)) return;
    const buf = fs.readFileSync(f);
    const end = buf.lastIndexOf(0x0a) + 1;
    if (end !== buf.length) fs.truncateSync(f, end);
  }

  acked(): Position {
    return readJsonFile<Position>(this.ackFile) ?? { seg: this.segments()[0] ?? 1, offset: 0 };
  }

  get pending(): number {
    return this.unacked;
  }

  /** Durably records a receipt (and indexes it for replay look-ups). */
  append(r: StepReceipt): void {
    appendIndex(this.dir, r);
    if (fs.existsSync(this.file(this.current)) && fs.statSync(this.file(this.current)).size >= SEGMENT_MAX) this.current++;
    const fd = fs.openSync(this.file(this.current), "a", 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(r) + "\n");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.unacked++;
  }

  /** Receipts from `from` on, each with the position just after it. */
  *read(from: Position = this.acked()): Generator<{ receipt: StepReceipt; end: Position }> {
    for (const seg of this.segments()) {
      if (seg < from.seg) continue;
      const buf = fs.readFileSync(this.file(seg));
      let at = seg === from.seg ? from.offset : 0;
      while (at < buf.length) {
        const nl = buf.indexOf(0x0a, at);
        if (nl < 0) break;
        const line = buf.toString("utf8", at, nl);
        at = nl + 1;
        if (line.trim()) yield { receipt: JSON.parse(line) as StepReceipt, end: { seg, offset: at } };
      }
    }
  }

  *unackedReceipts(): Generator<StepReceipt> {
    for (const { receipt } of this.read()) yield receipt;
  }

  /** Up to `max` unacknowledged receipts and the position after the last one. */
  batch(max: number): { receipts: StepReceipt[]; covered: number; end: Position } | null {
    const receipts: StepReceipt[] = [];
    let end: Position | null = null;
    let covered = 0;
    for (const item of this.read()) {
      covered++;
      end = item.end;
      if (!this.rejected.has(item.receipt.hash)) receipts.push(item.receipt);
      if (receipts.length >= max) break;
    }
    return end ? { receipts, covered, end } : null;
  }

  /** Moves the acknowledged position and drops segments wholly behind it. */
  ack(end: Position, count: number): void {
    writeJsonAtomic(this.ackFile, end);
    this.unacked = Math.max(0, this.unacked - count);
    for (const seg of this.segments()) if (seg < end.seg) fs.rmSync(this.file(seg), { force: true });
  }

  /** Sets aside a receipt the notary refused for good, with its reason, so the rest can flow. */
  reject(r: StepReceipt, reason: string): void {
    this.rejected.add(r.hash);
    fs.appendFileSync(this.rejectedFile, JSON.stringify({ at: new Date().toISOString(), reason, receipt: r }) + "\n");
  }
}
