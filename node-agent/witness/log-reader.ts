// Serving a persisted witness: paged records, raw stream bytes by range, and recomputation of the
// root (from the log alone, or re-deriving every record from the raw data).
import fs from "node:fs";
import { canonicalize } from "../../protocol/jcs.ts";
import { buildRecords, summarize, type WitnessInput, type WitnessSummary } from "./recorder.ts";
import { witnessRoot, type WitnessRecord } from "./record.ts";

export async function readWitnessLog(logPath: string): Promise<WitnessRecord[]> {
  const text = await fs.promises.readFile(logPath, "utf8");
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as WitnessRecord);
}

export async function readWitnessRecords(logPath: string, opts: { offset?: number; limit?: number } = {}): Promise<{ records: WitnessRecord[]; total: number }> {
  const all = await readWitnessLog(logPath);
  const offset = Math.max(0, opts.offset ?? 0);
  const limit = Math.max(0, Math.min(opts.limit ?? 1000, 10_000));
  return { records: all.slice(offset, offset + limit), total: all.length };
}

export async function readWitnessSummary(summaryPath: string): Promise<WitnessSummary | null> {
  const text = await fs.promises.readFile(summaryPath, "utf8").catch(() => null);
  return text ? (JSON.parse(text) as WitnessSummary) : null;
}

/** Up to `limit` bytes of a raw stream file from `offset` (for log serving). */
export async function readStreamRange(file: string, offset: number, limit: number): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, "r").catch(() => null);
  if (!handle) return new Uint8Array(0);
  try {
    const buf = Buffer.alloc(Math.max(0, Math.min(limit, 16 * 1024 * 1024)));
    const { bytesRead } = await handle.read(buf, 0, buf.length, Math.max(0, offset));
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Root of the persisted log, recomputed from its records. */
export async function rootOfLog(logPath: string): Promise<string> {
  return witnessRoot(await readWitnessLog(logPath));
}

/**
 * Re-derives the records from the raw streams and output dir and checks them against the log:
 * the log must be byte-for-byte what recording would produce now.
 */
export async function verifyWitness(input: WitnessInput, logPath: string): Promise<{ ok: boolean; root: string; firstMismatch?: number }> {
  const fresh = await buildRecords(input);
  const logged = await readWitnessLog(logPath);
  const n = Math.max(fresh.length, logged.length);
  for (let i = 0; i < n; i++) {
    if (!fresh[i] || !logged[i] || canonicalize(fresh[i]) !== canonicalize(logged[i])) return { ok: false, root: summarize(fresh).root, firstMismatch: i };
  }
  return { ok: true, root: summarize(fresh).root };
}
