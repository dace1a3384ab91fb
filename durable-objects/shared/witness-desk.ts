// A log-owning DO's record of its witnesses (PROTOCOL.md §7): per configured witness, the size it
// is known to have cosigned, and its newest cosignature line, which `…/log/checkpoint` appends to
// the checkpoint of that size. Kept in the DO's synchronous KV storage (transactional with its
// SQLite tables): a handful of small records per log, read whole, with no query to index.
// Submission runs only from the DO's alarm (one at a time), so records are never raced.
import { submitCheckpoint, type LatestCheckpoint } from "../../domain/witness/submit.ts";
import type { WitnessEndpoint } from "../../protocol/api/witness.ts";

export interface WitnessRecord {
  url: string;
  vkey: string;
  /** The size the witness last cosigned, as far as we know (from a 200 or a 409). */
  known_size: number;
  /** The size of the checkpoint `line` cosigns (0: none yet). */
  cosigned_size: number;
  line: string | null;
  last_error: string | null;
}

export interface SubmitRound {
  /** Witnesses that cosigned `size` in this round or before. */
  cosigned: number;
  failures: { vkey: string; reason: string }[];
}

const PREFIX = "witness:";

export class WitnessDesk {
  constructor(private readonly kv: SyncKvStorage) {}

  private get(vkey: string): WitnessRecord | undefined {
    return this.kv.get<WitnessRecord>(PREFIX + vkey);
  }

  /** The cosignature lines the witnesses returned for the checkpoint of `size` (a cluster's witnesses are fixed at creation). */
  linesFor(size: number): string {
    let out = "";
    for (const [, r] of this.kv.list<WitnessRecord>({ prefix: PREFIX })) if (r.line && r.cosigned_size === size) out += r.line;
    return out;
  }

  /** `head` with the cosignatures of its size appended to its note, as `…/log/checkpoint` serves it. */
  cosigned<T extends { size: number; note: string }>(head: T): T {
    return { ...head, note: head.note + this.linesFor(head.size) };
  }

  /** Whether this log has ever dealt with a witness (most logs never do). */
  any(): boolean {
    for (const _ of this.kv.list({ prefix: PREFIX, limit: 1 })) return true;
    return false;
  }

  /** Whether some configured witness has not cosigned `size` yet. */
  behind(size: number, configured: readonly WitnessEndpoint[]): boolean {
    return configured.some((w) => (this.get(w.vkey)?.cosigned_size ?? 0) < size);
  }

  /** Sends `latest` to every configured witness that has not cosigned it; records each outcome. */
  async submit(
    configured: readonly WitnessEndpoint[],
    latest: LatestCheckpoint,
    prove: (m: number, n: number) => Uint8Array[] | Promise<Uint8Array[]>,
    fetcher: (req: Request) => Promise<Response>,
  ): Promise<SubmitRound> {
    const round: SubmitRound = { cosigned: 0, failures: [] };
    await Promise.all(
      configured.map(async (w) => {
        const rec: WitnessRecord = this.get(w.vkey) ?? { url: w.url, vkey: w.vkey, known_size: 0, cosigned_size: 0, line: null, last_error: null };
        rec.url = w.url;
        if (rec.cosigned_size >= latest.size) {
          round.cosigned++;
          return;
        }
        const out = await submitCheckpoint({ url: w.url, vkey: w.vkey, knownSize: rec.known_size }, latest, prove, fetcher);
        rec.known_size = out.witnessSize;
        if (out.ok) {
          rec.cosigned_size = out.size;
          rec.line = out.line;
          rec.last_error = null;
          round.cosigned++;
        } else {
          rec.last_error = out.reason;
          round.failures.push({ vkey: w.vkey, reason: out.reason });
        }
        this.kv.put(PREFIX + w.vkey, rec);
      }),
    );
    return round;
  }
}
