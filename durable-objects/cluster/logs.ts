import { all } from "../shared/rows.ts";

export interface LogChunk {
  replica: string;
  stream: "stdout" | "stderr";
  offset: number;
  data: Uint8Array;
}

/** Output kept per replica and stream; older bytes stay in the node's witness log only. */
const KEEP_BYTES = 1 << 20;

export function storeLogs(sql: SqlStorage, chunks: LogChunk[]): void {
  const touched = new Set<string>();
  for (const c of chunks) {
    sql.exec("INSERT OR IGNORE INTO logs (replica, stream, offset, data) VALUES (?, ?, ?, ?)", c.replica, c.stream, c.offset, c.data);
    touched.add(`${c.replica}\u0000${c.stream}`);
  }
  for (const key of touched) {
    const [replica, stream] = key.split("\u0000");
    sql.exec(
      `DELETE FROM logs WHERE replica = ? AND stream = ? AND offset < (
         SELECT MAX(offset + length(data)) - ? FROM logs WHERE replica = ? AND stream = ?)`,
      replica, stream, KEEP_BYTES, replica, stream,
    );
  }
}

/** The last `tailBytes` of each stream of a replica, decoded as UTF-8 (lossy). */
export function readLogs(sql: SqlStorage, replica: string, tailBytes: number) {
  const rows = all<{ stream: string; offset: number; data: ArrayBuffer }>(
    sql,
    "SELECT stream, offset, data FROM logs WHERE replica = ? ORDER BY stream, offset",
    replica,
  );
  const byStream = new Map<string, { offset: number; parts: Uint8Array[] }>();
  for (const r of rows) {
    const s = byStream.get(r.stream) ?? { offset: r.offset, parts: [] };
    s.parts.push(new Uint8Array(r.data));
    byStream.set(r.stream, s);
  }
  return [...byStream].map(([stream, s]) => {
    const text = new TextDecoder().decode(concat(s.parts));
    const tail = text.length > tailBytes ? text.slice(text.length - tailBytes) : text;
    return { replica, stream, offset: s.offset, text: tail };
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
