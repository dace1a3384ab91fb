// One receipt chain per container: each receipt names the previous one of the same container
// (genesis first) and is signed with the node key. The chain head is kept per container in
// state/chains/; the journal is the truth, so after a crash between "journaled" and "head saved"
// recover() replays the unacknowledged receipts onto the heads and nothing forks.
import fs from "node:fs";
import path from "node:path";
import type { Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import type { KnownOp, StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { toIso } from "../../protocol/time.ts";
import { fileName, readJsonFile, writeJsonAtomic } from "./data-dir.ts";

export interface ChainState {
  container: string;
  app: string;
  head: string;
  count: number;
  last_op: string | null;
  /** ms since the epoch of the last receipt (resource deltas run from here) */
  last_ms: number | null;
  /** sum of cpu_ms over the chain: the next cpu delta is measured total minus this */
  cpu_ms: number;
  closed: boolean;
}

export interface ReceiptInput {
  /** only the listed ops: a typo would be a receipt no verifier understands */
  op: KnownOp;
  resource?: { cpu_ms: number; memory_mb_s: number; storage_gb_day: number; egress_mb: number };
  labels?: Record<string, string>;
  exit_code?: number;
  image?: string;
  witness_root?: string;
  seed?: string;
}

export type ReceiptSink = (r: StepReceipt) => void;
const TERMINAL = new Set(["exit", "oom", "replay"]);
export const ZERO_RESOURCE = { cpu_ms: 0, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 };

export class ReceiptChains {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly cluster: string,
    private readonly signer: Signer,
    private readonly sink: ReceiptSink,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(container: string): string {
    return path.join(this.dir, fileName(container));
  }

  state(container: string): ChainState | null {
    return readJsonFile<ChainState>(this.file(container));
  }

  private fresh(container: string, app: string): ChainState {
    return { container, app, head: GENESIS, count: 0, last_op: null, last_ms: null, cpu_ms: 0, closed: false };
  }

  private advance(s: ChainState, r: StepReceipt): ChainState {
    return { ...s, head: r.hash, count: s.count + 1, last_op: r.op, last_ms: Date.parse(r.ts), cpu_ms: s.cpu_ms + r.resource.cpu_ms, closed: TERMINAL.has(r.op) };
  }

  /**
   * Signs the next receipt of `container`, journals it, then moves the head. `build` sees the
   * chain as it is at that moment (for deltas); receipts of one container are strictly serial.
   */
  emit(container: string, app: string, build: (s: ChainState, now: number) => ReceiptInput): Promise<StepReceipt> {
    const prev = this.locks.get(container) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(async () => {
      const s = this.state(container) ?? this.fresh(container, app);
      const now = Math.max(Date.now(), s.last_ms ?? 0);
      const input = build(s, now);
      const r = await signReceipt(
        {
          v: 1,
          cluster: this.cluster,
          app,
          container,
          ts: toIso(now),
          resource: input.resource ?? ZERO_RESOURCE,
          labels: input.labels ?? {},
          prev_hash: s.head,
          op: input.op,
          ...(input.exit_code !== undefined ? { exit_code: input.exit_code } : {}),
          ...(input.image ? { image: input.image } : {}),
          ...(input.witness_root ? { witness_root: input.witness_root } : {}),
          ...(input.seed ? { seed: input.seed } : {}),
        },
        this.signer,
      );
      this.sink(r);
      writeJsonAtomic(this.file(container), this.advance(s, r));
      return r;
    });
    this.locks.set(container, next);
    void next.finally(() => {
      if (this.locks.get(container) === next) this.locks.delete(container);
    });
    return next;
  }

  /** Applies journaled receipts the heads may have missed (crash after journaling). */
  recover(receipts: Iterable<StepReceipt>): number {
    let fixed = 0;
    for (const r of receipts) {
      const s = this.state(r.container) ?? this.fresh(r.container, r.app);
      if (s.head !== r.prev_hash) continue; // already applied (or another chain's)
      writeJsonAtomic(this.file(r.container), this.advance(s, r));
      fixed++;
    }
    return fixed;
  }
}
