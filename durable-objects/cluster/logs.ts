import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { logs } from "./schema.ts";

export interface LogChunk {
  replica: string;
  stream: "stdout" | "stderr";
  offset: number;
  data: Uint8Array;
}

/** Output kept per replica and stream; older bytes stay in the node's witness log only. */
const KEEP_BYTES = 1 << 20;

export function storeLogs(db: DrizzleSqliteDODatabase, chunks: LogChunk[]): void {
  const touched = new Set<string>();
  for (const c of chunks) {
    db.insert(logs).values({ replica: c.replica, stream: c.stream, offset: c.offset, data: c.data }).onConflictDoNothing().run();
    touched.add(`${c.replica}\u0000${c.stream}`);
  }
  for (const key of touched) {
    const [replica, stream] = key.split("\u0000");
    const same = and(eq(logs.replica, replica), eq(logs.stream, stream));
    const end = sql`(SELECT MAX(${logs.offset} + length(${logs.data})) - ${KEEP_BYTES} FROM ${logs} WHERE ${same})`;
    db.delete(logs).where(and(same, lt(logs.offset, end))).run();
  }
}

/** The last `tailBytes` of each stream of a replica, decoded as UTF-8 (lossy). */
export function readLogs(db: DrizzleSqliteDODatabase, replica: string, tailBytes: number) {
  const rows = db
    .select({ stream: logs.stream, offset: logs.offset, data: logs.data })
    .from(logs)
    .where(eq(logs.replica, replica))
    .orderBy(asc(logs.stream), asc(logs.offset))
    .all();
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
