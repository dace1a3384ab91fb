// httpcg:// and rootzk:// names. Grammar (ABNF, RFC 5234; pchar, query as RFC 3986):
//
//   name         = httpcg-name / rootzk-name                 ; at most 2048 characters, ASCII only
//   httpcg-name  = "httpcg://" host [ ":" port ] [ "/" rel-path ] [ "?" query ]
//   host         = label *( "." label )                      ; at most 253 characters, lower-cased
//   label        = alnum [ *61( alnum / "-" ) alnum ]        ; the last label is not all digits
//   port         = %x31-39 *4DIGIT                           ; 1..65535
//   rootzk-name  = "rootzk://" did "/" service-id [ "/" rel-path ] [ "?" query ]
//   did          = a W3C DID (did.ts); it ends at the first "/" since "/" is not an idchar
//   service-id   = 1*64( ALPHA / DIGIT / "-" / "." / "_" / "~" ) ; not "." or ".."; the fragment
//                                                              ; of a service id ("#api" → "api")
//   rel-path     = segment *( "/" segment )                  ; rules in rootzk-path.ts
//
// Example: rootzk://did:bpi:alice/api/v1/x → did "did:bpi:alice", service "api", path "v1/x".
// Schemes match case-insensitively. No userinfo, no fragment, no IP literals, no whitespace.
// Every malformed input throws a ResolveError (400, also for another scheme; 501 for another DID method);
// nothing else is ever thrown, whatever the string.
import { assertSupportedMethod, parseBpiDid, parseDid } from "../../protocol/rootzk/did.ts";
import { ResolveError } from "../../protocol/rootzk/errors.ts";
import { validateQuery, validateRelativePath } from "./rootzk-path.ts";

export const MAX_NAME_LENGTH = 2048;

export interface HttpcgName {
  protocol: "httpcg";
  /** normalised name: httpcg://<authority>/<path>[?query] */
  name: string;
  host: string;
  port: number | null;
  /** host, or host:port when a port is given */
  authority: string;
  /** absolute path, "/" when absent */
  path: string;
  query: string | null;
}

export interface RootzkName {
  protocol: "rootzk";
  name: string;
  did: string;
  method: string;
  service: string;
  /** relative path under the service endpoint, "" when absent */
  path: string;
  query: string | null;
}

export type ParsedName = HttpcgName | RootzkName;

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PORT_RE = /^[1-9][0-9]{0,4}$/;
const SERVICE_RE = /^[A-Za-z0-9._~-]{1,64}$/;
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

function bad(detail: string, field: string): ResolveError {
  return new ResolveError("invalidName", detail, field);
}

export function parseName(input: unknown): ParsedName {
  if (typeof input !== "string" || input.length === 0) throw bad("a name is required", "name");
  if (input.length > MAX_NAME_LENGTH) throw bad(`a name is at most ${MAX_NAME_LENGTH} characters`, "name");
  // Printable ASCII only: no whitespace, controls or non-ASCII (IDNs are given as xn-- labels).
  if (!/^[\x21-\x7e]+$/.test(input)) throw bad("a name is printable ASCII without spaces", "name");
  const m = SCHEME_RE.exec(input);
  if (!m) throw bad("expected httpcg://… or rootzk://…", "name");
  const scheme = m[1].toLowerCase();
  const rest = input.slice(m[0].length);
  if (rest.includes("#")) throw bad("a name has no fragment", "fragment");
  if (scheme === "httpcg") return parseHttpcgRest(rest);
  if (scheme === "rootzk") return parseRootzkRest(rest);
  throw new ResolveError("unsupportedProtocol", `scheme "${scheme}" is not resolvable here (httpcg, rootzk)`, "scheme");
}

function splitQuery(rest: string): [string, string | null] {
  const q = rest.indexOf("?");
  if (q < 0) return [rest, null];
  const query = rest.slice(q + 1);
  validateQuery(query);
  return [rest.slice(0, q), query];
}

export function parseHttpcgName(input: unknown): HttpcgName {
  const n = parseName(input);
  if (n.protocol !== "httpcg") throw bad("expected an httpcg:// name", "name");
  return n;
}

export function parseRootzkName(input: unknown): RootzkName {
  const n = parseName(input);
  if (n.protocol !== "rootzk") throw bad("expected a rootzk:// name", "name");
  return n;
}

function parseHttpcgRest(rest: string): HttpcgName {
  const [beforeQuery, query] = splitQuery(rest);
  const slash = beforeQuery.indexOf("/");
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const rel = slash < 0 ? "" : beforeQuery.slice(slash + 1);
  if (authority.includes("@")) throw bad("a name has no userinfo", "host");
  if (authority.startsWith("[")) throw bad("IP literals are not names", "host");
  const colon = authority.indexOf(":");
  const rawHost = colon < 0 ? authority : authority.slice(0, colon);
  let port: number | null = null;
  if (colon >= 0) {
    const p = authority.slice(colon + 1);
    if (!PORT_RE.test(p) || Number(p) > 65535) throw bad("port must be 1..65535 without leading zeros", "port");
    port = Number(p);
  }
  const host = rawHost.toLowerCase();
  if (host.length === 0 || host.length > 253) throw bad("host must be 1..253 characters", "host");
  const labels = host.split(".");
  if (!labels.every((l) => LABEL_RE.test(l))) throw bad("host must be DNS labels of [a-z0-9-]", "host");
  if (/^[0-9]+$/.test(labels[labels.length - 1])) throw bad("IP literals are not names", "host");
  validateRelativePath(rel, "path");
  const auth = port === null ? host : `${host}:${port}`;
  const path = `/${rel}`;
  const name = `httpcg://${auth}${path}${query !== null ? `?${query}` : ""}`;
  return { protocol: "httpcg", name, host, port, authority: auth, path, query };
}

function parseRootzkRest(rest: string): RootzkName {
  const [beforeQuery, query] = splitQuery(rest);
  const s1 = beforeQuery.indexOf("/");
  const didPart = s1 < 0 ? beforeQuery : beforeQuery.slice(0, s1);
  const parsed = parseDid(didPart, "did");
  assertSupportedMethod(parsed, "did");
  if (parsed.method === "bpi") parseBpiDid(parsed.did, "did");
  if (s1 < 0) throw bad("rootzk://<did>/<service-id>[/<path>]: the service id is missing", "service");
  const afterDid = beforeQuery.slice(s1 + 1);
  const s2 = afterDid.indexOf("/");
  const service = s2 < 0 ? afterDid : afterDid.slice(0, s2);
  const path = s2 < 0 ? "" : afterDid.slice(s2 + 1);
  if (!SERVICE_RE.test(service) || service === "." || service === "..")
    throw bad("service id is 1..64 characters of [A-Za-z0-9._~-]", "service");
  validateRelativePath(path, "path");
  const name = `rootzk://${parsed.did}/${service}${path !== "" ? `/${path}` : ""}${query !== null ? `?${query}` : ""}`;
  return { protocol: "rootzk", name, did: parsed.did, method: parsed.method, service, path, query };
}
