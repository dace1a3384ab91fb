import { and, asc, desc, eq, isNotNull, lt, ne, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { LogText } from "../../protocol/api/observe.ts";
import { logs } from "./schema.ts";

export interface LogChunk {
  replica: string;
  stream: "stdout" | "stderr";
  offset: number;
  data: Uint8Array;
  /** ms since the epoch when the agent read it */
  at?: number;
  container?: string;
}

export interface LogQuery {
  tailBytes: number;
  /** ms since the epoch: only chunks read at or after it (a line cut by the boundary is dropped) */
  since?: number;
  /** only what this container wrote */
  container?: string;
  timestamps?: boolean;
}

/** Output kept per replica and stream; older bytes stay in the node's witness log only. */
const KEEP_BYTES = 1 << 20;

export function storeLogs(db: DrizzleSqliteDODatabase, chunks: LogChunk[]): void {
  const touched = new Set<string>();
  for (const c of chunks) {
    db.insert(logs)
      .values({ replica: c.replica, stream: c.stream, offset: c.offset, data: c.data, at: c.at ?? null, container: c.container ?? null })
      .onConflictDoNothing()
      .run();
    touched.add(`${c.replica}\u0000${c.stream}`);
  }
  for (const key of touched) {
    const [replica, stream] = key.split("\u0000");
    const same = and(eq(logs.replica, replica), eq(logs.stream, stream));
    const end = sql`(SELECT MAX(${logs.offset} + length(${logs.data})) - ${KEEP_BYTES} FROM ${logs} WHERE ${same})`;
    db.delete(logs).where(and(same, lt(logs.offset, end))).run();
  }
}

/**
 * The newest container of a replica that wrote output, other than `current`: what ran before it
 * (offsets keep growing across a replica's containers, so the highest offset is the newest).
 */
export function previousContainer(db: DrizzleSqliteDODatabase, replica: string, current: string): string | undefined {
  const row = db
    .select({ container: logs.container })
    .from(logs)
    .where(and(eq(logs.replica, replica), isNotNull(logs.container), ne(logs.container, current)))
    .orderBy(desc(logs.offset))
    .limit(1)
    .get();
  return row?.container ?? undefined;
}

/** The last `tailBytes` of each stream of a replica, decoded as UTF-8 (lossy). */
export function readLogs(db: DrizzleSqliteDODatabase, replica: string, q: LogQuery): LogText[] {
  const rows = db
    .select({ stream: logs.stream, offset: logs.offset, data: logs.data, at: logs.at })
    .from(logs)
    .where(and(eq(logs.replica, replica), q.container !== undefined ? eq(logs.container, q.container) : undefined))
    .orderBy(asc(logs.stream), asc(logs.offset))
    .all();
  const byStream = new Map<string, { offset: number; parts: Uint8Array[]; times: { offset: number; at: number }[]; cut: boolean }>();
  for (const r of rows) {
    const s = byStream.get(r.stream) ?? { offset: r.offset, parts: [], times: [], cut: false };
    byStream.set(r.stream, s);
    let data = new Uint8Array(r.data);
    if (q.since !== undefined && (r.at === null || r.at < q.since)) {
      // Older than asked: left out, and the rest of its last line with it.
      s.cut = data.length > 0 && data[data.length - 1] !== 0x0a;
      s.parts = [];
      s.times = [];
      s.offset = r.offset + data.length;
      continue;
    }
    let offset = r.offset;
    if (s.cut && s.parts.length === 0) {
      const nl = data.indexOf(0x0a);
      if (nl < 0) {
        s.offset = r.offset + data.length;
        continue;
      }
      data = data.subarray(nl + 1);
      offset += nl + 1;
      s.offset = offset;
      s.cut = false;
    }
    if (r.at !== null) s.times.push({ offset, at: r.at });
    s.parts.push(data);
  }
  return [...byStream].flatMap(([stream, s]) => {
    const all = concat(s.parts);
    let from = Math.max(0, all.length - q.tailBytes);
    while (from < all.length && (all[from] & 0xc0) === 0x80) from++; // not inside a character
    if (from === all.length && s.parts.length === 0) return [];
    const offset = s.offset + from;
    const out: LogText = { replica, stream, offset, text: new TextDecoder().decode(all.subarray(from)) };
    if (q.timestamps) {
      // The chunk holding the first byte, then every chunk starting after it.
      const first = s.times.findLastIndex((t) => t.offset <= offset);
      out.times = s.times.slice(Math.max(0, first)).map((t) => ({ offset: Math.max(t.offset, offset), at: new Date(t.at).toISOString() }));
    }
    return [out];
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
