// Joining a name's path to a service endpoint without ever leaving it.
//
// The endpoint is treated as a directory: "https://h/api" and "https://h/api/" both give the prefix
// "/api/". The path is an RFC 3986 relative-path reference of pchar segments; it is resolved
// against the endpoint with the WHATWG URL parser (RFC 3986 §5.2 for these inputs), and the result
// is then checked: same origin, no credentials, no fragment, and a pathname that is exactly
// prefix + path (so nothing was normalised away). Refused before the join, with 400 invalidPath:
// dot segments ("." "..", also as %2e), empty segments ("//"), a leading "/", backslashes and
// encoded slashes or backslashes (%2f, %5c), NUL (%00), and anything outside RFC 3986 pchar.
import { ResolveError } from "../../protocol/rootzk/errors.ts";

export const MAX_PATH_LENGTH = 2048;

const SEGMENT_RE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;
const QUERY_RE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const FORBIDDEN_PCT_RE = /%(?:2f|5c|00)/i;

export interface EndpointOptions {
  /** Accept http: endpoints too (local development only). Default false: https only. */
  allowHttp?: boolean;
}

/** Checks an RFC 3986 query (without "?"); throws 400 invalidPath naming `field`. */
export function validateQuery(query: string, field = "query"): void {
  if (query.length > MAX_PATH_LENGTH) throw new ResolveError("invalidPath", "query too long", field);
  if (!QUERY_RE.test(query)) throw new ResolveError("invalidPath", "query has characters outside RFC 3986 query", field);
}

/** Checks a relative path ("a/b/c", "" or with a trailing "/") against the rules above. */
export function validateRelativePath(path: string, field = "path"): void {
  if (typeof path !== "string") throw new ResolveError("invalidPath", "path must be a string", field);
  if (path.length > MAX_PATH_LENGTH) throw new ResolveError("invalidPath", `path is at most ${MAX_PATH_LENGTH} characters`, field);
  if (path === "") return;
  if (path.startsWith("/")) throw new ResolveError("invalidPath", "path must be relative to the endpoint (no leading '/')", field);
  if (path.includes("\\")) throw new ResolveError("invalidPath", "backslashes are not allowed in a path", field);
  if (FORBIDDEN_PCT_RE.test(path)) throw new ResolveError("invalidPath", "encoded '/', '\\' or NUL (%2f, %5c, %00) are not allowed", field);
  const segments = path.split("/");
  segments.forEach((seg, i) => {
    if (!SEGMENT_RE.test(seg)) throw new ResolveError("invalidPath", "path has characters outside RFC 3986 pchar", field);
    if (seg === "" && i !== segments.length - 1) throw new ResolveError("invalidPath", "empty path segments ('//') are not allowed", field);
    const dots = seg.replace(/%2e/gi, ".");
    if (dots === "." || dots === "..") throw new ResolveError("invalidPath", "dot segments ('.', '..', %2e) are not allowed", field);
  });
}

/** Parses a service endpoint; returns the URL and its directory prefix (ends with "/"). */
export function parseServiceEndpoint(endpoint: string, opts: EndpointOptions = {}): { url: URL; prefix: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ResolveError("invalidPath", "service endpoint is not an absolute URL", "endpoint");
  }
  const okScheme = url.protocol === "https:" || (opts.allowHttp === true && url.protocol === "http:");
  if (!okScheme) throw new ResolveError("invalidPath", "service endpoint must be an https: URL", "endpoint");
  if (url.username !== "" || url.password !== "") throw new ResolveError("invalidPath", "service endpoint must not carry credentials", "endpoint");
  if (url.search !== "" || url.hash !== "" || endpoint.includes("?") || endpoint.includes("#"))
    throw new ResolveError("invalidPath", "service endpoint must not have a query or fragment", "endpoint");
  const prefix = url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`;
  return { url, prefix };
}

/**
 * endpoint + path (+ "?" query) → absolute URL string inside the endpoint.
 * Throws ResolveError 400 invalidPath for anything that could escape it.
 */
export function joinServicePath(endpoint: string, path: string, query: string | null = null, opts: EndpointOptions = {}): string {
  const { url: base, prefix } = parseServiceEndpoint(endpoint, opts);
  validateRelativePath(path);
  if (query !== null) validateQuery(query);
  const dir = new URL(prefix, base); // the endpoint as a directory
  let out: URL;
  try {
    out = new URL(`./${path}${query !== null ? `?${query}` : ""}`, dir);
  } catch {
    throw new ResolveError("invalidPath", "path does not resolve against the endpoint", "path");
  }
  const escapes =
    out.origin !== base.origin ||
    out.protocol !== base.protocol ||
    out.username !== "" ||
    out.password !== "" ||
    out.hash !== "" ||
    !out.pathname.startsWith(prefix) ||
    out.pathname !== prefix + path;
  if (escapes) throw new ResolveError("invalidPath", "path escapes the service endpoint", "path");
  return out.href;
}
