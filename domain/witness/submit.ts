// The log's side of C2SP tlog-witness (PROTOCOL.md §7): send a checkpoint to one witness with the
// consistency proof from the size that witness last cosigned, follow its 409 to the size it
// reports, and accept only a cosignature that verifies under the witness's configured vkey.
// Pure but for the injected fetch and proof reader, so the DOs (notary, audit) share it.
import { parseWitnessVkey, verifyCosignatures } from "../../protocol/c2sp/cosignature.ts";
import { readStreamCapped } from "../capped-stream.ts";
import { ADD_CHECKPOINT_PATH, TLOG_SIZE_CONTENT_TYPE, formatAddCheckpoint } from "../../protocol/c2sp/witness.ts";

export interface WitnessTarget {
  url: string;
  vkey: string;
  /** The size this witness last cosigned, as far as the log knows (0: never, or unknown). */
  knownSize: number;
}

export interface LatestCheckpoint {
  size: number;
  note: string;
}

export type SubmitOutcome =
  | { ok: true; size: number; line: string; witnessSize: number }
  | { ok: false; reason: string; witnessSize: number };

/** A 409 answers a size; a witness that keeps answering them is not followed forever. */
const MAX_RESYNCS = 3;
/** A witness's answer is a few signature lines; anything longer is refused unread. */
const MAX_ANSWER = 16 * 1024;

/** The submission URL: `<url>/add-checkpoint`, whatever the configured prefix ends with. */
export function addCheckpointUrl(prefix: string): string {
  return prefix.replace(/\/+$/, "") + ADD_CHECKPOINT_PATH;
}

/**
 * Submits `latest` to one witness. `prove(m, n)` gives the consistency proof between two sizes of
 * the log (from its stored hashes). Never throws for a witness's failure: the outcome says why,
 * and carries the size the witness is now known to be at (from a 409, or the cosigned size).
 */
export async function submitCheckpoint(
  target: WitnessTarget,
  latest: LatestCheckpoint,
  prove: (m: number, n: number) => Uint8Array[] | Promise<Uint8Array[]>,
  fetcher: (req: Request) => Promise<Response>,
  timeoutMs = 10_000,
): Promise<SubmitOutcome> {
  const witness = parseWitnessVkey(target.vkey);
  let old = target.knownSize;
  for (let round = 0; round <= MAX_RESYNCS; round++) {
    if (old > latest.size) return { ok: false, reason: `the witness has cosigned size ${old}, larger than this log's ${latest.size}`, witnessSize: old };
    const proof = old === 0 || old === latest.size ? [] : await prove(old, latest.size);
    let res: Response;
    try {
      res = await fetcher(
        new Request(addCheckpointUrl(target.url), {
          method: "POST",
          headers: { "content-type": "text/plain; charset=utf-8" },
          body: formatAddCheckpoint(old, proof, latest.note),
          signal: AbortSignal.timeout(timeoutMs),
        }),
      );
    } catch (e) {
      return { ok: false, reason: `unreachable: ${(e as Error).message}`, witnessSize: old };
    }
    const text = await boundedText(res);
    if (res.status === 409 && (res.headers.get("content-type") ?? "").split(";")[0].trim() === TLOG_SIZE_CONTENT_TYPE) {
      const m = /^(0|[1-9][0-9]*)\n?$/.exec(text ?? "");
      if (!m || !Number.isSafeInteger(Number(m[1]))) return { ok: false, reason: "409 without a size", witnessSize: old };
      old = Number(m[1]);
      continue;
    }
    if (res.status !== 200 || text === null) return { ok: false, reason: `HTTP ${res.status}${text ? `: ${text.trim().slice(0, 200)}` : ""}`, witnessSize: old };
    // Only the line(s) of the configured key count; a valid note with them is what we serve.
    const lines = text.split("\n").filter((l) => l.length > 0);
    const mine = lines.find((l) => {
      try {
        return verifyCosignatures(`${latest.note}${l}\n`, [witness]).length === 1;
      } catch {
        return false;
      }
    });
    if (!mine) return { ok: false, reason: "the answer holds no valid cosignature by the configured witness key", witnessSize: old };
    return { ok: true, size: latest.size, line: `${mine}\n`, witnessSize: latest.size };
  }
  return { ok: false, reason: `still conflicting after ${MAX_RESYNCS} resyncs`, witnessSize: old };
}

async function boundedText(res: Response): Promise<string | null> {
  if (!res.body) return "";
  const buf = await readStreamCapped(res.body, MAX_ANSWER);
  if (buf === null) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    return null;
  }
}
