// DID and DID URL syntax (W3C DID Core §3.1, §3.2), and the did:bpi method's names.
//
//   did                = "did:" method-name ":" method-specific-id
//   method-name        = 1*method-char            method-char = %x61-7A / DIGIT
//   method-specific-id = *( *idchar ":" ) 1*idchar
//   idchar             = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
//   did-url            = did path-abempty [ "?" query ] [ "#" fragment ]     (RFC 3986 parts)
//
// The DID ends at the first "/", "?" or "#": none of them is an idchar.
import { ResolveError } from "./errors.ts";

export const MAX_DID_LENGTH = 2048;
export const MAX_DID_URL_LENGTH = 4096;
export const SUPPORTED_METHODS = ["bpi", "key", "web"] as const;
export type SupportedMethod = (typeof SUPPORTED_METHODS)[number];

const DID_RE = /^did:([a-z0-9]+):((?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)$/;
// RFC 3986 pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
const PATH_ABEMPTY_RE = new RegExp(`^(?:/${PCHAR}*)*$`);
const QUERY_RE = new RegExp(`^(?:${PCHAR}|[/?])*$`);
const BPI_NAME_RE = /^[a-z0-9-]{3,64}$/;
const PARAM_KEY_RE = /^[A-Za-z0-9._~-]+$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

export interface ParsedDid {
  did: string;
  method: string;
  methodSpecificId: string;
}

export interface ParsedDidUrl extends ParsedDid {
  didUrl: string;
  /** path-abempty, "" when absent */
  path: string;
  /** raw query without "?", null when absent */
  query: string | null;
  /** decoded query parameters (service, relativeRef, versionId, versionTime, hl, …) */
  params: Record<string, string>;
  /** raw fragment without "#", null when absent */
  fragment: string | null;
}

export function isDid(s: unknown): s is string {
  return typeof s === "string" && s.length <= MAX_DID_LENGTH && DID_RE.test(s);
}

export function parseDid(s: unknown, field = "did"): ParsedDid {
  if (typeof s !== "string" || s.length === 0) throw new ResolveError("invalidDid", "a DID is required", field);
  if (s.length > MAX_DID_LENGTH) throw new ResolveError("invalidDid", `a DID is at most ${MAX_DID_LENGTH} characters`, field);
  const m = DID_RE.exec(s);
  if (!m) throw new ResolveError("invalidDid", "not a DID: expected did:<method>:<method-specific-id> (W3C DID Core §3.1)", field);
  return { did: s, method: m[1], methodSpecificId: m[2] };
}

/** Percent-decode a validated component; invalid UTF-8 becomes a ResolveError. */
export function pctDecode(s: string, field: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ResolveError("invalidDidUrl", "percent-encoding is not valid UTF-8", field);
  }
}

export function parseDidUrl(s: unknown): ParsedDidUrl {
  if (typeof s !== "string" || s.length === 0) throw new ResolveError("invalidDidUrl", "a DID URL is required", "didUrl");
  if (s.length > MAX_DID_URL_LENGTH) throw new ResolveError("invalidDidUrl", `a DID URL is at most ${MAX_DID_URL_LENGTH} characters`, "didUrl");
  let end = s.length;
  for (const c of ["/", "?", "#"]) {
    const i = s.indexOf(c);
    if (i >= 0 && i < end) end = i;
  }
  const base = parseDid(s.slice(0, end));
  let rest = s.slice(end);
  let fragment: string | null = null;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    if (!QUERY_RE.test(fragment)) throw new ResolveError("invalidDidUrl", "fragment has characters outside RFC 3986 fragment", "fragment");
  }
  let query: string | null = null;
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
    if (!QUERY_RE.test(query)) throw new ResolveError("invalidDidUrl", "query has characters outside RFC 3986 query", "query");
  }
  if (!PATH_ABEMPTY_RE.test(rest)) throw new ResolveError("invalidDidUrl", "path has characters outside RFC 3986 path-abempty", "path");
  const params = query === null ? {} : parseParams(query);
  return { ...base, didUrl: s, path: rest, query, params, fragment };
}

function parseParams(query: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  if (query === "") return params;
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const key = pctDecode(rawKey, "query");
    if (!PARAM_KEY_RE.test(key)) throw new ResolveError("invalidDidUrl", "query parameter names are unreserved characters", "query");
    if (key in params) throw new ResolveError("invalidDidUrl", `query parameter "${key}" appears twice`, key);
    params[key] = eq >= 0 ? pctDecode(pair.slice(eq + 1), key) : "";
  }
  if ("relativeRef" in params && !("service" in params))
    throw new ResolveError("invalidDidUrl", "relativeRef needs a service parameter", "relativeRef");
  if ("service" in params && params.service === "") throw new ResolveError("invalidDidUrl", "service is empty", "service");
  if ("versionTime" in params && !RFC3339_RE.test(params.versionTime))
    throw new ResolveError("invalidDidUrl", "versionTime must be an RFC 3339 date-time", "versionTime");
  return params;
}

export function isSupportedMethod(method: string): method is SupportedMethod {
  return (SUPPORTED_METHODS as readonly string[]).includes(method);
}

export function assertSupportedMethod(p: ParsedDid, field = "did"): SupportedMethod {
  if (!isSupportedMethod(p.method))
    throw new ResolveError("methodNotSupported", `DID method "${p.method}" is not supported (bpi, key, web)`, field);
  return p.method;
}

export function isBpiName(name: string): boolean {
  return BPI_NAME_RE.test(name);
}

/** did:bpi:<name> with name [a-z0-9-]{3,64}. */
export function parseBpiDid(s: unknown, field = "did"): { did: string; name: string } {
  const p = parseDid(s, field);
  if (p.method !== "bpi") throw new ResolveError("invalidDid", "expected a did:bpi DID", field);
  if (!BPI_NAME_RE.test(p.methodSpecificId))
    throw new ResolveError("invalidDid", "did:bpi names are 3 to 64 characters of [a-z0-9-]", field);
  return { did: p.did, name: p.methodSpecificId };
}
