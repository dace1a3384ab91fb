// did:web (W3C CCG did:web Method Specification, "Read (Resolve)"):
//   did:web:example.com                 → https://example.com/.well-known/did.json
//   did:web:example.com%3A3000          → https://example.com:3000/.well-known/did.json
//   did:web:example.com:user:alice      → https://example.com/user/alice/did.json
// The first ":"-separated part is the host (percent-decoded, so %3A gives the port); the others
// are path segments, kept percent-encoded. Hosts must be public (net-guard.ts); https only.
import { fromUtf8 } from "../../protocol/bytes.ts";
import { parseDid } from "../../protocol/rootzk/did.ts";
import { parseDidDocument, type DidDocument } from "./did-document.ts";
import { ResolveError } from "../../protocol/rootzk/errors.ts";
import { readCapped } from "./capped-body.ts";
import { refuseHost } from "./net-guard.ts";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface FetchDidWebOptions {
  fetch: FetchLike;
  /** Whole request including the body. Default 3000 ms. */
  timeoutMs?: number;
  /** Largest accepted body. Default 64 KiB. */
  maxBytes?: number;
  /** Redirects followed within the same origin; any to another origin is refused. Default 2. */
  maxRedirects?: number;
}

const SEGMENT_RE = /^(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/;
const HOSTPORT_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function refuse(detail: string): ResolveError {
  return new ResolveError("invalidDid", detail, "did");
}

export function didWebToUrl(did: string): string {
  const p = parseDid(did);
  if (p.method !== "web") throw refuse("expected a did:web DID");
  const [rawHost, ...segments] = p.methodSpecificId.split(":");
  if (!SEGMENT_RE.test(rawHost)) throw refuse("did:web host is empty");
  let hostport: string;
  try {
    hostport = decodeURIComponent(rawHost);
  } catch {
    throw refuse("did:web host is badly percent-encoded");
  }
  if (!HOSTPORT_RE.test(hostport)) throw refuse("did:web host must be host[:port] once percent-decoded");
  let url: URL;
  try {
    url = new URL(`https://${hostport}/`);
  } catch {
    throw refuse("did:web host is not a valid host");
  }
  const why = refuseHost(url.hostname);
  if (why) throw refuse(`did:web host refused: ${why}`);
  for (const seg of segments) {
    if (!SEGMENT_RE.test(seg)) throw refuse("did:web path segments must not be empty");
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      throw refuse("did:web path segment is badly percent-encoded");
    }
    // eslint-disable-next-line no-control-regex -- controls are exactly what this refuses
    if (decoded === "." || decoded === ".." || /[/\\?#\x00-\x1f\x7f]/.test(decoded))
      throw refuse("did:web path segments must not be dot segments or encode / \\ ? # or controls");
  }
  const path = segments.length === 0 ? "/.well-known/did.json" : `/${segments.join("/")}/did.json`;
  const out = new URL(path, url);
  if (out.pathname !== path || out.origin !== url.origin) throw refuse("did:web path does not map to a URL");
  return out.href;
}

/** Fetches and validates the DID document of a did:web DID. Throws ResolveError only. */
export async function fetchDidWeb(did: string, opts: FetchDidWebOptions): Promise<DidDocument> {
  const { timeoutMs = 3000, maxBytes = 64 * 1024, maxRedirects = 2 } = opts;
  let url = didWebToUrl(did);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await opts.fetch(url, {
          method: "GET",
          redirect: "manual",
          headers: { accept: "application/did+json, application/did+ld+json, application/json;q=0.9" },
          signal: controller.signal,
        });
      } catch {
        throw new ResolveError("internalError", timedOut ? `did:web fetch timed out after ${timeoutMs} ms` : "did:web fetch failed", "did");
      }
      if ((res.type as string) === "opaqueredirect" || (res.status >= 300 && res.status < 400)) {
        await res.body?.cancel().catch(() => {});
        const location = res.headers.get("location");
        let next: URL | null = null;
        try {
          next = location ? new URL(location, url) : null;
        } catch {
          next = null;
        }
        if (!next || next.origin !== new URL(url).origin)
          throw new ResolveError("internalError", "did:web redirect to another origin refused", "did");
        if (hop >= maxRedirects) throw new ResolveError("internalError", "did:web too many redirects", "did");
        url = next.href;
        continue;
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel().catch(() => {});
        throw new ResolveError("notFound", `no DID document at ${url}`, "did");
      }
      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel().catch(() => {});
        throw new ResolveError("internalError", `did:web host answered ${res.status}`, "did");
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(res, maxBytes, () => controller.abort());
      } catch (e) {
        if (e instanceof ResolveError) throw e;
        throw new ResolveError("internalError", timedOut ? `did:web fetch timed out after ${timeoutMs} ms` : "did:web body read failed", "did");
      }
      let json: unknown;
      try {
        json = JSON.parse(fromUtf8(bytes));
      } catch {
        throw new ResolveError("invalidDidDocument", "did:web document is not UTF-8 JSON", "didDocument");
      }
      const doc = parseDidDocument(json);
      if (doc.id !== did) throw new ResolveError("invalidDidDocument", `document id ${JSON.stringify(doc.id)} is not the DID`, "didDocument");
      return doc;
    }
  } finally {
    clearTimeout(timer);
  }
}
