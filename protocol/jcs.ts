// RFC 8785 JSON Canonicalization Scheme. Hashes and signatures cover these bytes, so anything
// that JSON.stringify would silently coerce (NaN, Date, Map, lone surrogates) is rejected here
// instead of producing a hash no other implementation can reproduce.
import { utf8 } from "./bytes.ts";

export class JcsError extends TypeError {
  override name = "JcsError";
}

// Lone surrogates are not I-JSON (RFC 7493) and have no UTF-8 encoding.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function str(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) throw new JcsError(`JCS: lone surrogate in string at ${path}`);
  // JSON.stringify's escaping (\" \\ \b \f \n \r \t, \u00xx lowercase, nothing else) is exactly
  // the minimal escaping RFC 8785 §3.2.2.2 requires.
  return JSON.stringify(s);
}

function write(v: unknown, path: string, seen: Set<object>): string {
  switch (typeof v) {
    case "string":
      return str(v, path);
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isFinite(v)) throw new JcsError(`JCS: non-finite number at ${path}`);
      // ECMAScript Number::toString is the serialization RFC 8785 §3.2.2.3 mandates; -0 → "0".
      return Object.is(v, -0) ? "0" : String(v);
    case "object": {
      if (v === null) return "null";
      if (seen.has(v)) throw new JcsError(`JCS: cycle at ${path}`);
      seen.add(v);
      let out: string;
      if (Array.isArray(v)) {
        out = "[" + v.map((item, i) => write(item, `${path}[${i}]`, seen)).join(",") + "]";
      } else if (isPlainObject(v)) {
        const parts: string[] = [];
        // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 specifies.
        for (const key of Object.keys(v).sort()) {
          const item = v[key];
          // Absent and undefined must hash alike, as they serialize alike on the wire.
          if (item === undefined) continue;
          parts.push(str(key, path) + ":" + write(item, `${path}.${key}`, seen));
        }
        out = "{" + parts.join(",") + "}";
      } else {
        throw new JcsError(`JCS: unsupported object type ${v.constructor?.name ?? "?"} at ${path}`);
      }
      seen.delete(v);
      return out;
    }
    default:
      throw new JcsError(`JCS: unsupported value of type ${typeof v} at ${path}`);
  }
}

// The hot path (every hash of every signed object): the same rules as `write`, without building a
// path string for every value (half its time on receipts). On any refusal `canonicalize` re-runs
// `write`, whose error names the path.
const wellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function";

// `"key":` of member names already checked and quoted: the same few names recur in every object
// of a large array (a deploy's ResourceAllocation entry has 100 allocations of 3 scores each).
const KEY_TEXT = new Map<string, string>();

function keyText(key: string): string {
  let t = KEY_TEXT.get(key);
  if (t === undefined) {
    if (wellFormed ? !(key as string & { isWellFormed(): boolean }).isWellFormed() : LONE_SURROGATE.test(key)) throw new JcsError("lone surrogate");
    t = JSON.stringify(key) + ":";
    // Short names only: they are the ones that recur, and a long one must not stay for good.
    if (key.length <= 64 && KEY_TEXT.size < 4096) KEY_TEXT.set(key, t);
  }
  return t;
}

// Nesting beyond this (a cycle, or a very deep value) is left to `write`, which names the cycle:
// a depth count is cheaper than a set of the objects on the path, with thousands per entry.
const FAST_DEPTH = 256;

/**
 * Object.keys(v) in JCS order. Small objects (a ResourceAllocation entry has 400 of 3 members)
 * are insertion-sorted with `<`, which compares UTF-16 code units as sort() does: sort()'s call
 * cost more than the comparisons. Keys are distinct, so the order is the same.
 */
function sortedKeys(v: object): string[] {
  const keys = Object.keys(v);
  const n = keys.length;
  if (n > 8) return keys.sort();
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function fast(v: unknown, depth: number): string {
  switch (typeof v) {
    case "string":
      if (wellFormed ? !(v as string & { isWellFormed(): boolean }).isWellFormed() : LONE_SURROGATE.test(v)) throw new JcsError("lone surrogate");
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isFinite(v)) throw new JcsError("non-finite number");
      return Object.is(v, -0) ? "0" : String(v);
    case "object": {
      if (v === null) return "null";
      if (depth >= FAST_DEPTH) throw new JcsError("too deep for the fast path");
      let out: string;
      if (Array.isArray(v)) {
        out = "[";
        for (let i = 0; i < v.length; i++) out += (i ? "," : "") + fast(v[i], depth + 1);
        out += "]";
      } else if (isPlainObject(v)) {
        out = "{";
        let first = true;
        for (const key of sortedKeys(v)) {
          const item = v[key];
          if (item === undefined) continue;
          out += (first ? "" : ",") + keyText(key) + fast(item, depth + 1);
          first = false;
        }
        out += "}";
      } else {
        throw new JcsError("unsupported object type");
      }
      return out;
    }
    default:
      throw new JcsError("unsupported value");
  }
}

/** Canonical JSON text of `value` (RFC 8785). Throws JcsError on values JSON cannot carry. */
export function canonicalize(value: unknown): string {
  try {
    return fast(value, 0);
  } catch (e) {
    if (!(e instanceof JcsError)) throw e;
    return write(value, "$", new Set());
  }
}

/**
 * The members of a plain object as JCS writes them (`"key":value`), with their keys, in JCS order:
 * `"{" + members.map((m) => m[1]).join(",") + "}"` is canonicalize(obj). An object that gains
 * members (a signed entry's hash and signatures) is written by merging, not canonicalised again.
 */
export function canonicalMembers(obj: Readonly<Record<string, unknown>>): [key: string, text: string][] {
  const out: [string, string][] = [];
  for (const key of Object.keys(obj).sort()) {
    const item = obj[key];
    if (item !== undefined) out.push([key, canonicalize(key) + ":" + canonicalize(item)]);
  }
  return out;
}

/**
 * JCS of a plain object and of the same object without the members `outside(key)` names, from one
 * pass over its members: a signed object's body (hashed) and the whole object (a C2SP log entry,
 * PROTOCOL.md §13.1) without canonicalizing its values twice. Each equals `canonicalize` of it.
 */
export function canonicalizeWithBody(obj: Readonly<Record<string, unknown>>, outside: (key: string) => boolean): { whole: string; body: string } {
  try {
    let whole = "{";
    let body = "{";
    for (const key of Object.keys(obj).sort()) {
      const item = obj[key];
      if (item === undefined) continue;
      if (wellFormed ? !(key as string & { isWellFormed(): boolean }).isWellFormed() : LONE_SURROGATE.test(key)) throw new JcsError("lone surrogate");
      const member = JSON.stringify(key) + ":" + fast(item, 1);
      whole += (whole.length > 1 ? "," : "") + member;
      if (!outside(key)) body += (body.length > 1 ? "," : "") + member;
    }
    return { whole: whole + "}", body: body + "}" };
  } catch (e) {
    if (!(e instanceof JcsError)) throw e;
    const body: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(obj)) if (!outside(key)) body[key] = obj[key];
    return { body: canonicalize(body), whole: canonicalize(obj) };
  }
}

export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value));
}
