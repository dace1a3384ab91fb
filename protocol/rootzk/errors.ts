// The one error type the resolver's pure logic throws. Every failure of parsing, resolving or
// dereferencing becomes a ResolveError with an HTTP status, a DID Resolution style error code
// (camelCase, as the Universal Resolver reports them) and the input field that caused it.

export type ResolveErrorCode =
  | "invalidName" // an httpcg:// or rootzk:// name that does not follow the grammar (names.ts)
  | "invalidPath" // a path that is malformed or would escape its service endpoint
  | "unsupportedProtocol" // a name with another scheme than httpcg or rootzk
  | "invalidDid" // DID syntax (W3C DID Core §3.1) or method-specific id
  | "invalidDidUrl" // DID URL syntax or parameters (W3C DID Core §3.2)
  | "invalidPublicKey" // a key that does not decode to a valid Ed25519 point
  | "invalidPublicKeyLength"
  | "invalidPublicKeyType" // a multicodec other than Ed25519 (0xed01)
  | "invalidDidDocument" // a document that fails the schema or whose id is not the DID
  | "invalidDidDocumentLength" // a did:web body larger than the limit
  | "notFound"
  | "deactivated"
  | "methodNotSupported"
  | "representationNotSupported"
  | "internalError";

export type ResolveErrorStatus = 400 | 404 | 406 | 410 | 500 | 501;

/** HTTP status for each code: the Universal Resolver's mapping, extended to ENC's own codes. */
export const STATUS_FOR_CODE: Readonly<Record<ResolveErrorCode, ResolveErrorStatus>> = {
  invalidName: 400,
  invalidPath: 400,
  // Another scheme is the caller's mistake, not a missing feature of ours (issue 10).
  unsupportedProtocol: 400,
  invalidDid: 400,
  invalidDidUrl: 400,
  invalidPublicKey: 400,
  invalidPublicKeyLength: 400,
  invalidPublicKeyType: 400,
  invalidDidDocument: 500,
  invalidDidDocumentLength: 500,
  notFound: 404,
  deactivated: 410,
  methodNotSupported: 501,
  representationNotSupported: 406,
  internalError: 500,
};

const TITLES: Readonly<Record<ResolveErrorStatus, string>> = {
  400: "Bad Request",
  404: "Not Found",
  406: "Not Acceptable",
  410: "Gone",
  500: "Internal Server Error",
  501: "Not Implemented",
};

export class ResolveError extends Error {
  readonly status: ResolveErrorStatus;
  readonly code: ResolveErrorCode;
  readonly detail: string;
  /** The input part at fault ("name", "host", "port", "path", "query", "did", "service", …) or null. */
  readonly field: string | null;

  constructor(code: ResolveErrorCode, detail: string, field: string | null = null) {
    super(`${code}: ${detail}`);
    this.name = "ResolveError";
    this.code = code;
    this.status = STATUS_FOR_CODE[code];
    this.detail = detail;
    this.field = field;
  }

  /** RFC 9457 problem details body (application/problem+json). */
  toProblem(): { type: string; title: string; status: number; detail: string; code: string; field?: string } {
    const p: { type: string; title: string; status: number; detail: string; code: string; field?: string } = {
      type: `urn:enc:problem:resolver:${this.code}`,
      title: TITLES[this.status],
      status: this.status,
      detail: this.detail,
      code: this.code,
    };
    if (this.field !== null) p.field = this.field;
    return p;
  }
}

export function isResolveError(e: unknown): e is ResolveError {
  return e instanceof ResolveError;
}

/** Run f; anything it throws that is not a ResolveError becomes internalError (never leaks). */
export function guard<T>(f: () => T, code: ResolveErrorCode, detail: string, field: string | null = null): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ResolveError) throw e;
    throw new ResolveError(code, detail, field);
  }
}
