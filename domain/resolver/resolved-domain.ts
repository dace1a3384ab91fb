// ResolvedDomain (PROTOCOL.md §4, GET /v1/resolve), field names as in the seed's resolver:
//   { domain, protocol, endpoint, security_requirements, wallet_binding, cache_ttl, resolution_time }
// cache_ttl is in seconds; resolution_time is RFC 3339 UTC with milliseconds.
// What the requirements mean here: tlsls_required = the endpoint is https and clients must use TLS
// (false only for http endpoints allowed in local development; min_tls_version 1.3 is a
// requirement on the client, which the resolver cannot observe);
// qlock_binding = qlock.ts; rootzk's zk_proof = zk-schnorr.ts. Nothing else is claimed.
import { toIso } from "../../protocol/time.ts";
import { authenticationKeys, findService, type DidDocument } from "./did-document.ts";
import { ResolveError } from "../../protocol/rootzk/errors.ts";
import type { HttpcgName, RootzkName } from "./names.ts";
import { qlockBind, QLOCK_DEFAULT_WINDOW_S, type QlockBinding } from "./qlock.ts";
import { joinServicePath } from "./rootzk-path.ts";
import { ZK_DEFAULT_WINDOW_S, ZK_DOMAIN } from "../../protocol/rootzk/zk-schnorr.ts";

export const HTTPCG_CACHE_TTL_S = 300;
export const ROOTZK_CACHE_TTL_S = 600;

export interface HttpcgSecurityRequirements {
  tlsls_required: boolean;
  min_tls_version: "1.3";
  wallet_authentication: true;
  qlock_binding: QlockBinding;
}

export interface RootzkSecurityRequirements {
  tlsls_required: boolean;
  min_tls_version: "1.3";
  did_authentication: true;
  zk_proof_required: true;
  zk_proof: { scheme: "schnorr-ristretto255-sha512"; domain: typeof ZK_DOMAIN; window_s: number; verification_methods: string[] };
}

export interface ResolvedDomain {
  domain: string;
  protocol: "httpcg" | "rootzk";
  endpoint: string;
  security_requirements: HttpcgSecurityRequirements | RootzkSecurityRequirements;
  wallet_binding: string | null;
  cache_ttl: number;
  resolution_time: string;
}

/** A shadow-registry record (PUT /v1/registry/httpcg/{host}). */
export interface HttpcgRecord {
  https_endpoint: string;
  wallet_binding?: string | null;
  ttl_s?: number;
}

const ms = (now: Date | number) => (typeof now === "number" ? now : now.getTime());

export function buildHttpcgResolved(args: {
  name: HttpcgName;
  record: HttpcgRecord;
  qlockKey: Uint8Array;
  /** the requesting wallet, if any; else the record's wallet_binding is bound */
  wallet?: string | null;
  now: Date | number;
  windowS?: number;
  allowHttp?: boolean;
}): ResolvedDomain {
  const { name, record } = args;
  const windowS = args.windowS ?? QLOCK_DEFAULT_WINDOW_S;
  const endpoint = joinServicePath(record.https_endpoint, name.path.slice(1), name.query, { allowHttp: args.allowHttp });
  const walletBinding = record.wallet_binding ?? null;
  const qlock = qlockBind(args.qlockKey, { wallet: args.wallet ?? walletBinding, host: name.authority, path: name.path, now: args.now, windowS });
  // A cached answer must not outlive its QLOCK window.
  const ttl = Number.isSafeInteger(record.ttl_s) && (record.ttl_s as number) > 0 ? (record.ttl_s as number) : HTTPCG_CACHE_TTL_S;
  return {
    domain: name.name,
    protocol: "httpcg",
    endpoint,
    security_requirements: { tlsls_required: endpoint.startsWith("https:"), min_tls_version: "1.3", wallet_authentication: true, qlock_binding: qlock },
    wallet_binding: walletBinding,
    cache_ttl: Math.min(ttl, windowS),
    resolution_time: toIso(ms(args.now)),
  };
}

export function buildRootzkResolved(args: {
  name: RootzkName;
  document: DidDocument;
  deactivated?: boolean;
  now: Date | number;
  windowS?: number;
  allowHttp?: boolean;
}): ResolvedDomain {
  const { name, document: doc } = args;
  if (args.deactivated) throw new ResolveError("deactivated", `${name.did} is deactivated`, "did");
  if (doc.id !== name.did) throw new ResolveError("invalidDidDocument", "document id is not the name's DID", "did");
  const service = findService(doc, name.service);
  if (!service) throw new ResolveError("notFound", `${name.did} has no service ${JSON.stringify(name.service)}`, "service");
  const endpoint = joinServicePath(service.serviceEndpoint, name.path, name.query, { allowHttp: args.allowHttp });
  const keys = authenticationKeys(doc);
  return {
    domain: name.name,
    protocol: "rootzk",
    endpoint,
    security_requirements: {
      tlsls_required: endpoint.startsWith("https:"),
      min_tls_version: "1.3",
      did_authentication: true,
      zk_proof_required: true,
      zk_proof: {
        scheme: "schnorr-ristretto255-sha512",
        domain: ZK_DOMAIN,
        window_s: args.windowS ?? ZK_DEFAULT_WINDOW_S,
        verification_methods: keys.map((k) => k.id),
      },
    },
    wallet_binding: keys[0]?.address ?? null,
    cache_ttl: ROOTZK_CACHE_TTL_S,
    resolution_time: toIso(ms(args.now)),
  };
}
