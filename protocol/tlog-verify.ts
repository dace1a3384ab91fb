// Verifies a history read from the ledger (D1, any mirror) against the C2SP log of PROTOCOL.md §6:
// the newest checkpoint's signature by the published key, a history of exactly its size and
// root, every entry proved from the served tiles, and consistency with a checkpoint seen before.
import { decodeAddress } from "./address.ts";
import { toBase64 } from "./bytes.ts";
import { parseCheckpoint } from "./c2sp/checkpoint.ts";
import { ALG_ED25519, encodeVkey, NoteError, parseNote, verifyNoteEd25519 } from "./c2sp/note.ts";
import { tileHashReader, type TileFetcher } from "./c2sp/tiles.ts";
import { proveConsistency, proveInclusion, treeRoot, TlogAccumulator, tlogLeafHash, verifyTlogConsistency, verifyTlogInclusion, type HashReader } from "./c2sp/tlog.ts";
import { bytesEqual } from "./bytes.ts";

export interface LogProblem {
  where: string;
  problem: string;
}

/** Where the log is read from; the CLI backs it with `…/log/checkpoint` and `…/log/tile/…`. */
export interface LogSource {
  checkpoint(): Promise<string>;
  tile: TileFetcher;
}

export interface CheckedCheckpoint {
  origin: string;
  size: number;
  /** 32 bytes */
  root: Uint8Array;
  note: string;
}

/**
 * Parses a checkpoint note and checks its signature by `signer` (a bpi1 address) under its own
 * origin, which must end in `originSuffix` (`/<cluster>/<app>` or `/<cluster>/audit`).
 */
export async function checkCheckpoint(note: string, signer: string, originSuffix: string): Promise<CheckedCheckpoint> {
  const parsed = parseNote(note);
  const c = parseCheckpoint(parsed.body);
  if (!c.origin.endsWith(originSuffix)) throw new NoteError(`checkpoint origin ${c.origin} is not a log of ${originSuffix.slice(1)}`);
  const vkey = encodeVkey(c.origin, ALG_ED25519, decodeAddress(signer));
  if (!(await verifyNoteEd25519(parsed, vkey))) throw new NoteError(`checkpoint of ${c.origin} is not signed by ${signer}`);
  return { origin: c.origin, size: c.size, root: c.root, note };
}

function memo(read: HashReader): HashReader {
  const cache = new Map<string, Promise<Uint8Array>>();
  return (level, index) => {
    const k = `${level}/${index}`;
    let p = cache.get(k);
    if (!p) {
      p = Promise.resolve(read(level, index));
      cache.set(k, p);
    }
    return p;
  };
}

export interface LogReport {
  origin: string;
  size: number;
  /** base64, as in the checkpoint */
  root: string;
  /** The checkpoint verified (signed note): keep it for `--since-checkpoint` next time. */
  checkpoint: string;
  /** Entries proved included from the tiles. */
  proved: number;
  /** Set when an earlier checkpoint was given and the log was proved to extend it. */
  consistent_with?: number;
}

/**
 * `entries` are the history's entries in log order (JCS bytes of each receipt or audit entry),
 * read after the checkpoint; later ones beyond its size are ignored. `since` is a checkpoint the
 * verifier trusted before: the new one must extend it (a smaller size is a rollback, a failed
 * consistency proof a fork). Problems are pushed; the report is null when no checkpoint verified.
 */
export async function verifyLogHistory(
  src: LogSource,
  signer: string,
  originSuffix: string,
  entries: readonly Uint8Array[],
  problems: LogProblem[],
  opts: { since?: string; note?: string } = {},
): Promise<LogReport | null> {
  let cp: CheckedCheckpoint;
  try {
    cp = await checkCheckpoint(opts.note ?? (await src.checkpoint()), signer, originSuffix);
  } catch (e) {
    problems.push({ where: "log checkpoint", problem: (e as Error).message });
    return null;
  }
  const where = `log ${cp.origin}`;
  if (entries.length < cp.size) {
    problems.push({ where, problem: `missing: the signed checkpoint has ${cp.size} entries, but the ledger holds ${entries.length}` });
  }
  const n = Math.min(cp.size, entries.length);
  const acc = new TlogAccumulator();
  const leaves = entries.slice(0, n).map((e) => tlogLeafHash(e));
  for (const l of leaves) acc.push(l);
  if (n === cp.size && !bytesEqual(acc.root(), cp.root)) {
    problems.push({ where, problem: `the ledger's ${n} entries hash to root ${toBase64(acc.root())}, but the signed checkpoint says ${toBase64(cp.root)}` });
  }
  const read = memo(tileHashReader(cp.size, src.tile));
  let proved = 0;
  try {
    const tileRoot = await treeRoot(cp.size, read);
    if (!bytesEqual(tileRoot, cp.root)) problems.push({ where: `${where} tiles`, problem: "the served tiles do not hash to the checkpoint's root" });
    let reported = 0;
    for (let i = 0; i < n; i++) {
      if (verifyTlogInclusion(leaves[i], i, cp.size, await proveInclusion(i, cp.size, read), cp.root)) proved++;
      else if (reported++ < 20) problems.push({ where: `${where} entry ${i}`, problem: "not included in the signed log (rewritten or reordered)" });
    }
  } catch (e) {
    problems.push({ where: `${where} tiles`, problem: (e as Error).message });
  }
  const report: LogReport = { origin: cp.origin, size: cp.size, root: toBase64(cp.root), checkpoint: cp.note, proved };
  if (opts.since) {
    let old: CheckedCheckpoint | null = null;
    try {
      old = await checkCheckpoint(opts.since, signer, originSuffix);
      if (old.origin !== cp.origin) throw new NoteError(`the earlier checkpoint is of another log (${old.origin})`);
    } catch (e) {
      problems.push({ where: "earlier checkpoint", problem: (e as Error).message });
      old = null;
    }
    if (old && old.size > cp.size) {
      problems.push({ where, problem: `rollback: the log now has ${cp.size} entries, but a checkpoint of ${old.size} was seen before` });
    } else if (old) {
      try {
        const proof = await proveConsistency(old.size, cp.size, read);
        if (verifyTlogConsistency(old.size, cp.size, old.root, cp.root, proof)) report.consistent_with = old.size;
        else problems.push({ where, problem: `fork: the log of ${cp.size} entries does not extend the checkpoint of ${old.size} seen before` });
      } catch (e) {
        problems.push({ where, problem: `fork: no consistency proof from ${old.size} to ${cp.size}: ${(e as Error).message}` });
      }
    }
  }
  return report;
}
