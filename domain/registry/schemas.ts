// Request schemas of the shadow registry (PUT /v1/registry/httpcg/{host}) and the DID
// registry (PUT /v1/dids/{did}). Names are checked by the resolver's own grammar (names.ts,
// did.ts), so what can be registered is exactly what can be resolved.
import { z } from "@hono/zod-openapi";
import { canonicalize, JcsError } from "../../protocol/jcs.ts";
import { fail } from "../problem.ts";
import { isBpiName, parseDid, parseHttpcgName, parseServiceEndpoint } from "../resolver/index.ts";
import { Address } from "../../protocol/api/common.ts";
import { Gateway } from "../../protocol/api/registry.ts";

const messageOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as Error & { detail?: string }).detail ?? (e as Error).message;
  }
};

/**
 * Registry bodies are hashed (JCS) into audit entries, so what JCS cannot carry (a lone UTF-16
 * surrogate, which JSON.parse lets through) is refused up front: 422 naming the field.
 */
export function requireIJson(body: unknown): void {
  try {
    canonicalize(body);
  } catch (e) {
    if (!(e instanceof JcsError)) throw e;
    const field = /at \$\.?(.*)$/.exec(e.message)?.[1] || "body";
    fail(422, `${field}: strings must be valid Unicode (I-JSON, RFC 7493)`, { field });
  }
}

/** A bare host as httpcg names use it: DNS labels, lower case, no port, no path. */
export const HostName = z
  .string()
  .max(253)
  .superRefine((h, ctx) => {
    const why = h === h.toLowerCase() && !/[:/?#@]/.test(h) ? messageOf(() => parseHttpcgName(`httpcg://${h}`)) : "a lower-case host name without port or path";
    if (why) ctx.addIssue({ code: "custom", message: why });
  })
  .openapi({ example: "app.example.com" });

export const HostParam = z.object({ host: HostName.openapi({ param: { name: "host", in: "path" } }) });

/** did:bpi:<name>, name [a-z0-9-]{3,64} (PROTOCOL.md §4). */
export const BpiDid = z
  .string()
  .max(72)
  .superRefine((d, ctx) => {
    const why = messageOf(() => parseDid(d)) ?? (d.startsWith("did:bpi:") && isBpiName(d.slice(8)) ? null : "did:bpi names are 3 to 64 characters of [a-z0-9-]");
    if (why) ctx.addIssue({ code: "custom", message: why });
  })
  .openapi({ example: "did:bpi:alice" });

export const DidParam = z.object({ did: BpiDid.openapi({ param: { name: "did", in: "path" } }) });

const HttpsEndpoint = z
  .string()
  .max(2048)
  .superRefine((s, ctx) => {
    const why = messageOf(() => parseServiceEndpoint(s));
    if (why) ctx.addIssue({ code: "custom", message: why });
  })
  .openapi({ example: "https://origin.example.com/app" });

export const HostRecordBody = z
  .object({
    https_endpoint: HttpsEndpoint.optional(),
    gateway: Gateway.optional(),
    wallet_binding: Address.nullable().optional(),
    ttl_s: z.number().int().min(1).max(86_400).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.https_endpoint === undefined) === (b.gateway === undefined))
      ctx.addIssue({ code: "custom", path: ["https_endpoint"], message: "give exactly one of https_endpoint or gateway" });
  })
  .openapi("HostRecordBody");
