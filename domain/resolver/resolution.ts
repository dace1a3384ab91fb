// W3C DID Resolution results (the Universal Resolver's GET /1.0/identifiers/{did} shape), its error
// codes and HTTP statuses, and DID URL dereferencing of ?service=…&relativeRef=… and #fragments.
import { toIso } from "../../protocol/time.ts";
import { parseDidUrl, type ParsedDidUrl } from "../../protocol/rootzk/did.ts";
import { absoluteId, findService, findVerificationMethod, type DidDocument, type Service, type VerificationMethod } from "./did-document.ts";
import { ResolveError, STATUS_FOR_CODE, type ResolveErrorCode } from "../../protocol/rootzk/errors.ts";

export const DID_RESOLUTION_CONTEXT = "https://w3id.org/did-resolution/v1";
export const DID_LD_JSON = "application/did+ld+json";
export const DID_JSON = "application/did+json";
export const RESOLUTION_RESULT_TYPE = 'application/ld+json;profile="https://w3id.org/did-resolution"';

export interface DidDocumentMetadata {
  created?: string;
  updated?: string;
  deactivated?: boolean;
  versionId?: string;
  nextUpdate?: string;
  nextVersionId?: string;
  equivalentId?: string[];
  canonicalId?: string;
  [extra: string]: unknown;
}

export interface DidResolutionMetadata {
  contentType?: string;
  retrieved: string;
  duration?: number;
  error?: string;
  errorMessage?: string;
}

export interface DidResolutionResult {
  "@context": typeof DID_RESOLUTION_CONTEXT;
  didDocument: DidDocument | null;
  didResolutionMetadata: DidResolutionMetadata;
  didDocumentMetadata: DidDocumentMetadata;
}

export interface ResultOptions {
  /** When the resolver produced the result (Date, unix ms or RFC 3339). */
  retrieved: Date | number | string;
  /** Milliseconds the resolution took. */
  durationMs?: number;
  contentType?: typeof DID_LD_JSON | typeof DID_JSON;
}

function when(t: Date | number | string): string {
  return typeof t === "string" ? t : toIso(typeof t === "number" ? t : t.getTime());
}

export function httpStatusFor(code: string): number {
  return (STATUS_FOR_CODE as Record<string, number>)[code] ?? 500;
}

/** A successful result; status 410 when the metadata says the DID is deactivated. */
export function resolutionResult(
  didDocument: DidDocument,
  didDocumentMetadata: DidDocumentMetadata,
  opts: ResultOptions,
): { status: 200 | 410; body: DidResolutionResult } {
  const meta: DidResolutionMetadata = { contentType: opts.contentType ?? DID_LD_JSON, retrieved: when(opts.retrieved) };
  if (opts.durationMs !== undefined) meta.duration = opts.durationMs;
  const body: DidResolutionResult = {
    "@context": DID_RESOLUTION_CONTEXT,
    didDocument,
    didResolutionMetadata: meta,
    didDocumentMetadata: { ...didDocumentMetadata },
  };
  return { status: didDocumentMetadata.deactivated === true ? 410 : 200, body };
}

/** The error result: didDocument null, error code and message in didResolutionMetadata. */
export function errorResult(err: ResolveError | ResolveErrorCode, opts: ResultOptions, message?: string): { status: number; body: DidResolutionResult } {
  const code = typeof err === "string" ? err : err.code;
  const meta: DidResolutionMetadata = { retrieved: when(opts.retrieved), error: code };
  const detail = typeof err === "string" ? message : err.detail;
  if (detail !== undefined) meta.errorMessage = detail;
  if (opts.durationMs !== undefined) meta.duration = opts.durationMs;
  return {
    status: httpStatusFor(code),
    body: { "@context": DID_RESOLUTION_CONTEXT, didDocument: null, didResolutionMetadata: meta, didDocumentMetadata: {} },
  };
}

/** Which representation an Accept header asks for; throws 406 representationNotSupported. */
export function negotiate(accept: string | null | undefined): "result" | typeof DID_LD_JSON | typeof DID_JSON {
  if (!accept || accept.trim() === "") return "result";
  const types = accept.split(",").map((t) => t.trim().toLowerCase().replace(/\s+/g, ""));
  for (const t of types) {
    const base = t.split(";")[0];
    if (base === "application/ld+json" && t.includes('profile="https://w3id.org/did-resolution"')) return "result";
    if (base === "*/*" || base === "application/*" || base === "application/json" || base === "application/ld+json") return "result";
    if (base === DID_LD_JSON) return DID_LD_JSON;
    if (base === DID_JSON) return DID_JSON;
  }
  throw new ResolveError("representationNotSupported", `cannot produce ${accept}`, "accept");
}

export type Dereferenced =
  | { kind: "url"; url: string; contentType: "text/uri-list" }
  | { kind: "resource"; resource: VerificationMethod | Service; contentType: typeof DID_LD_JSON }
  | { kind: "document"; document: DidDocument; contentType: typeof DID_LD_JSON };

const RELATIVE_REF_RE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;

/**
 * DID URL dereferencing against an already resolved document (DID Core §7.2, DID Resolution
 * "Dereferencing the Primary Resource"): ?service=<id>[&relativeRef=<ref>] selects a service and
 * resolves relativeRef against its endpoint by RFC 3986 §5.2 (the result must stay on the
 * endpoint's origin); a fragment then becomes the URL's fragment. Without service, a fragment
 * selects a verification method or service; with neither, the document itself.
 */
export function dereference(didUrl: string | ParsedDidUrl, doc: DidDocument): Dereferenced {
  const u = typeof didUrl === "string" ? parseDidUrl(didUrl) : didUrl;
  if (u.did !== doc.id) throw new ResolveError("invalidDidUrl", "the DID URL names another DID than the document", "didUrl");
  if (u.path !== "") throw new ResolveError("notFound", "DID URL paths are not dereferenced by this resolver", "path");
  const { service, relativeRef } = u.params;
  if (service !== undefined) {
    const svc = findService(doc, service);
    if (!svc) throw new ResolveError("notFound", `no service ${JSON.stringify(service)} in the document`, "service");
    let base: URL;
    try {
      base = new URL(svc.serviceEndpoint);
    } catch {
      throw new ResolveError("invalidDidDocument", "service endpoint is not a URL", "serviceEndpoint");
    }
    let out = base;
    if (relativeRef !== undefined) {
      if (!RELATIVE_REF_RE.test(relativeRef) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(relativeRef))
        throw new ResolveError("invalidDidUrl", "relativeRef must be an RFC 3986 relative reference", "relativeRef");
      out = new URL(relativeRef, base);
      if (out.origin !== base.origin || out.username !== "" || out.password !== "")
        throw new ResolveError("invalidDidUrl", "relativeRef leaves the service endpoint's origin", "relativeRef");
    }
    if (u.fragment !== null) out.hash = u.fragment;
    return { kind: "url", url: out.href, contentType: "text/uri-list" };
  }
  if (u.fragment !== null) {
    const id = absoluteId(doc, `#${u.fragment}`);
    const resource = findVerificationMethod(doc, id) ?? (doc.service ?? []).find((s) => absoluteId(doc, s.id) === id);
    if (!resource) throw new ResolveError("notFound", `no resource ${id} in the document`, "fragment");
    return { kind: "resource", resource, contentType: DID_LD_JSON };
  }
  return { kind: "document", document: doc, contentType: DID_LD_JSON };
}
