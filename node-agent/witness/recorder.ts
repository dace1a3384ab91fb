// Builds a container's witness log at exit and persists it: witness.jsonl holds one JCS record
// per line in seq order, witness.json the summary with the root. Order: stdin segments, stdout
// segments, stderr segments, then output files by path (see WITNESS.md for why not arrival order).
import fs from "node:fs";
import { canonicalize } from "../../protocol/jcs.ts";
import { collectOutput } from "./output-files.ts";
import { WITNESS_VERSION, witnessRoot, type StreamName, type WitnessRecord } from "./record.ts";
import { segmentFile } from "./segments.ts";

const SMALL_LOG = 256 * 1024;

export interface WitnessInput {
  /** raw stream files; a missing file is an empty stream */
  streams: { stdin?: string; stdout: string; stderr: string };
  /** host dir that was bound at `containerDir` */
  output?: { hostDir: string; containerDir: string };
}

export interface WitnessSummary {
  v: 1;
  root: string;
  count: number;
  bytes: Record<StreamName, number>;
  files: number;
}

export async function buildRecords(input: WitnessInput): Promise<WitnessRecord[]> {
  const records: WitnessRecord[] = [];
  for (const stream of ["stdin", "stdout", "stderr"] as const) {
    const file = input.streams[stream];
    if (!file) continue;
    for (const s of await segmentFile(file)) records.push({ v: WITNESS_VERSION, seq: records.length, stream, offset: s.offset, size: s.size, data: s.data });
  }
  if (input.output) {
    for (const f of await collectOutput(input.output.hostDir, input.output.containerDir)) {
      records.push("link" in f
        ? { v: WITNESS_VERSION, seq: records.length, stream: "file", path: f.path, link: f.link }
        : { v: WITNESS_VERSION, seq: records.length, stream: "file", path: f.path, size: f.size, data: f.data });
    }
  }
  return records;
}

export function summarize(records: readonly WitnessRecord[]): WitnessSummary {
  const bytes = { stdin: 0, stdout: 0, stderr: 0 };
  let files = 0;
  for (const r of records) {
    if (r.stream === "file") files++;
    else bytes[r.stream] += r.size;
  }
  return { v: WITNESS_VERSION, root: witnessRoot(records), count: records.length, bytes, files };
}

/** Records the witness of a finished container into `logPath` and `summaryPath` (atomically each). */
export async function recordWitness(input: WitnessInput, logPath: string, summaryPath: string): Promise<WitnessSummary> {
  const records = await buildRecords(input);
  const summary = summarize(records);
  const lines = records.map((r) => canonicalize(r) + "\n").join("");
  const summaryText = canonicalize(summary) + "\n";
  if (lines.length <= SMALL_LOG) {
    // The usual few records: synchronous writes skip a thread-pool round trip per call.
    fs.writeFileSync(`${logPath}.tmp`, lines);
    fs.renameSync(`${logPath}.tmp`, logPath);
    fs.writeFileSync(`${summaryPath}.tmp`, summaryText);
    fs.renameSync(`${summaryPath}.tmp`, summaryPath);
    return summary;
  }
  await fs.promises.writeFile(`${logPath}.tmp`, lines);
  await fs.promises.rename(`${logPath}.tmp`, logPath);
  await fs.promises.writeFile(`${summaryPath}.tmp`, summaryText);
  await fs.promises.rename(`${summaryPath}.tmp`, summaryPath);
  return summary;
}
