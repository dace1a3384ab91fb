// A log-owning DO's record of its witnesses (PROTOCOL.md §7): per configured witness, the size it
// is known to have cosigned, and its newest cosignature line, which `…/log/checkpoint` appends to
// the checkpoint of that size. Kept in the DO's synchronous KV storage (transactional with its
// SQLite tables): a handful of small records per log, read whole, with no query to index.
// Submission runs from the DO's alarm, but two rounds can still overlap (an alarm retried while
// one awaits a witness, or one run by hand): a round merges its outcome into the record as stored
// after its await.
import { submitCheckpoint, type LatestCheckpoint } from "../../domain/witness/submit.ts";
import { failureKind, shouldReport, type ReportedFailure } from "../../domain/witness/failure-log.ts";
import { QuietRetry } from "./base-do.ts";
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
  /** The failure last logged (absent in records written before it was kept). */
  reported?: ReportedFailure | null;
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
    now = Date.now(),
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
        // Another round (the alarm's, a newer checkpoint's) may have recorded this witness while
        // this one awaited it: merge into what is stored now, so neither a cosigned size goes back
        // nor one failure is logged twice.
        const stored = this.get(w.vkey);
        if (stored) Object.assign(rec, stored, { url: w.url });
        // (A stale known size only costs a 409 resync; a cosigned size must not go back.)
        rec.known_size = out.ok ? Math.max(rec.known_size, out.witnessSize) : out.witnessSize;
        if (out.ok) {
          if (out.size >= rec.cosigned_size) {
            rec.cosigned_size = out.size;
            rec.line = out.line;
          }
          rec.last_error = null;
          rec.reported = null;
          round.cosigned++;
        } else {
          rec.last_error = out.reason;
          // Logged here, when recorded: one line per witness and kind of failure (and hourly while
          // it lasts), whatever the task then does (domain/witness/failure-log.ts).
          if (shouldReport(rec.reported, out.reason, now)) {
            rec.reported = { kind: failureKind(out.reason), at: now };
            // One line: the reason may quote the witness's answer, which must not forge log lines.
            const reason = out.reason.replace(/\s+/g, " ");
            console.error(`log ${originOf(latest)}: witness ${w.vkey.split("+")[0]} failed: ${reason} (retried with back-off; the same failure is logged again after an hour)`);
          }
          round.failures.push({ vkey: w.vkey, reason: out.reason });
        }
        this.kv.put(PREFIX + w.vkey, rec);
      }),
    );
    return round;
  }
}

/** A checkpoint's origin: its note's first line. */
const originOf = (head: LatestCheckpoint) => head.note.slice(0, head.note.indexOf("\n"));

/** The error a witness task whose round failed ends with: retried with back-off, logged by submit already. */
export const witnessFailure = (failures: SubmitRound["failures"]): QuietRetry =>
  new QuietRetry(`witnesses failed: ${failures.map((f) => `${f.vkey.split("+")[0]}: ${f.reason}`).join("; ")}`);
