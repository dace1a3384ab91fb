// Protocol time: RFC 3339, UTC, exactly millisecond precision, "Z" (PROTOCOL.md §1).
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function toIso(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) throw new RangeError(`toIso: invalid time ${ms}`);
  const s = d.toISOString();
  // Years outside 0000-9999 render as ±YYYYYY, which is not RFC 3339.
  if (!ISO_RE.test(s)) throw new RangeError(`toIso: time out of RFC 3339 range: ${ms}`);
  return s;
}

export function isoNow(): string {
  return toIso(Date.now());
}

/** True only for the exact protocol form of a real instant (no 2026-02-30, no offsets). */
export function isIso(s: unknown): s is string {
  if (typeof s !== "string" || !ISO_RE.test(s)) return false;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && new Date(ms).toISOString() === s;
}

/** Milliseconds since the epoch of a protocol time; throws unless isIso(s). */
export function parseIso(s: string): number {
  if (!isIso(s)) throw new RangeError(`not an RFC 3339 UTC millisecond time: ${JSON.stringify(s)}`);
  return Date.parse(s);
}
