// The Universal Resolver interface: GET /1.0/identifiers/{did or DID URL}, answering W3C DID
// Resolution results (application/ld+json;profile="https://w3id.org/did-resolution") with the
// spec's error codes and statuses, and dereferencing DID URLs (?service=…&relativeRef=…, #frag).
// A DID URL's "/", "?" are taken from the request as sent; a fully percent-encoded identifier
// ("did%3Abpi%3A…", the form that can carry "#") is decoded first.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { publicRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import {
  dereference,
  errorResult,
  isResolveError,
  negotiate,
  parseDidUrl,
  resolutionResult,
  ResolveError,
  RESOLUTION_RESULT_TYPE,
  DID_RESOLUTION_CONTEXT,
} from "../../domain/resolver/index.ts";
import { resolveDid } from "./resolver-did.ts";

export const resolverIdentifiers = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const PREFIX = "/1.0/identifiers/";

function identifierOf(url: URL): string {
  const raw = url.pathname.slice(PREFIX.length) + url.search;
  // An encoded "/", "?" or "#" is the client escaping a DID URL's delimiters ("did:rootzk:%2F%2F…"
  // is "did:rootzk://…", not a DID): decoded, it fails the syntax check (400 invalidDid) before
  // any method lookup could answer 501 (W3C DID Resolution checks syntax first).
  if (!/^did%3a/i.test(raw) && !/%(2f|3f|23)/i.test(raw)) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ResolveError("invalidDidUrl", "the identifier is not valid percent-encoding", "didUrl");
  }
}

async function identifiers(c: Context<AppEnv>): Promise<Response> {
  const started = Date.now();
  const opts = () => ({ retrieved: Date.now(), durationMs: Date.now() - started });
  const out = (status: number, body: unknown, type: string, extra: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": type, ...extra } });
  try {
    const want = negotiate(c.req.header("accept"));
    const u = parseDidUrl(identifierOf(new URL(c.req.url)));
    const { versionId, versionTime } = u.params;
    const { document, metadata } = await resolveDid(c.env, u.did, { versionId, versionTime });
    const dereferencing = u.path !== "" || u.fragment !== null || u.params.service !== undefined;
    if (!dereferencing) {
      if (want !== "result") return out(metadata.deactivated ? 410 : 200, document, want);
      const r = resolutionResult(document, metadata, opts());
      return out(r.status, r.body, RESOLUTION_RESULT_TYPE);
    }
    if (metadata.deactivated) throw new ResolveError("deactivated", `${u.did} is deactivated`, "did");
    const d = dereference(u, document);
    if (d.kind === "document") return out(200, d.document, d.contentType);
    if (d.kind === "resource") return out(200, d.resource, d.contentType);
    // A selected service endpoint URL: 303 See Other to it (DID Resolution, HTTP(S) binding).
    const result = {
      "@context": DID_RESOLUTION_CONTEXT,
      dereferencingMetadata: { contentType: d.contentType, ...opts() },
      contentStream: d.url,
      contentMetadata: metadata,
    };
    return out(303, result, "application/ld+json", { location: d.url });
  } catch (e) {
    if (!isResolveError(e)) throw e;
    const r = errorResult(e, opts());
    return out(r.status, r.body, RESOLUTION_RESULT_TYPE);
  }
}

resolverIdentifiers.openapi(
  publicRoute({
    method: "get",
    path: "/1.0/identifiers/{identifier}",
    summary: "Resolve a DID or dereference a DID URL (Universal Resolver interface; did:bpi, did:key, did:web)",
    request: { params: z.object({ identifier: z.string().openapi({ param: { name: "identifier", in: "path" }, example: "did:bpi:alice" }) }) },
    responses: {
      200: { description: "DID Resolution result, or the dereferenced resource", content: { "application/ld+json": { schema: z.looseObject({}) } } },
      303: { description: "A service endpoint selected by ?service= (Location)" },
      400: { description: "invalidDid, invalidDidUrl (checked before the method: syntax first)" },
      404: { description: "notFound" },
      406: { description: "representationNotSupported" },
      410: { description: "deactivated" },
      501: { description: "methodNotSupported" },
    },
  }),
  (c) => identifiers(c),
);

// DID URLs with a path ("did:web:example.com/path") span several segments.
resolverIdentifiers.get(`${PREFIX}*`, (c) => identifiers(c));
