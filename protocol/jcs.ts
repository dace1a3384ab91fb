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

function fast(v: unknown, seen: Set<object>): string {
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
      if (seen.has(v)) throw new JcsError("cycle");
      seen.add(v);
      let out: string;
      if (Array.isArray(v)) {
        out = "[";
        for (let i = 0; i < v.length; i++) out += (i ? "," : "") + fast(v[i], seen);
        out += "]";
      } else if (isPlainObject(v)) {
        out = "{";
        let first = true;
        for (const key of Object.keys(v).sort()) {
          const item = v[key];
          if (item === undefined) continue;
          if (wellFormed ? !(key as string & { isWellFormed(): boolean }).isWellFormed() : LONE_SURROGATE.test(key)) throw new JcsError("lone surrogate");
          out += (first ? "" : ",") + JSON.stringify(key) + ":" + fast(item, seen);
          first = false;
        }
        out += "}";
      } else {
        throw new JcsError("unsupported object type");
      }
      seen.delete(v);
      return out;
    }
    default:
      throw new JcsError("unsupported value");
  }
}

/** Canonical JSON text of `value` (RFC 8785). Throws JcsError on values JSON cannot carry. */
export function canonicalize(value: unknown): string {
  try {
    return fast(value, new Set());
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
    const seen = new Set<object>([obj]);
    let whole = "{";
    let body = "{";
    for (const key of Object.keys(obj).sort()) {
      const item = obj[key];
      if (item === undefined) continue;
      if (wellFormed ? !(key as string & { isWellFormed(): boolean }).isWellFormed() : LONE_SURROGATE.test(key)) throw new JcsError("lone surrogate");
      const member = JSON.stringify(key) + ":" + fast(item, seen);
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
