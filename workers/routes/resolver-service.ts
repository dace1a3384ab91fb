// GET /v1/resolve's work: name → ResolvedDomain, through the isolate cache. A hit costs one Map
// lookup and returns the answer already serialised; a miss parses the name, reads D1 (httpcg)
// or resolves the DID (rootzk), builds the answer and caches it for its cache_ttl, tagged with
// the host or DID so that a registry write in this isolate invalidates it.
import { buildHttpcgResolved, buildRootzkResolved, parseName, ResolveError, type HttpcgName, type ResolvedDomain } from "../../domain/resolver/index.ts";
import { NEGATIVE_TTL_MS, qlockKey, resolverCache } from "./resolver-config.ts";
import { didTag, resolveDid } from "./resolver-did.ts";
import { currentHost } from "./registry-queries.ts";
import type { HostRecord } from "../../protocol/api/registry.ts";

export const hostTag = (host: string) => `host:${host}`;

export interface ResolveInput {
  name: string;
  /** the requester's wallet for the QLOCK binding; null binds the record's wallet_binding */
  wallet: string | null;
  /** this Worker's origin: gateway registrations resolve under it */
  origin: string;
  now: number;
  /** "read-only" never adds to the cache (privacy mode) */
  cache?: "use" | "read-only";
}

export interface Answer {
  body: string;
  ttl: number;
  hit: boolean;
}

/** Where a registration points: its URL, or the cluster gateway under this Worker's origin. */
export function endpointOf(record: HostRecord, origin: string): string {
  if (record.https_endpoint) return record.https_endpoint;
  const g = record.gateway!;
  return `${origin}/v1/clusters/${g.cluster}/services/${g.workload}/`;
}

async function resolveHttpcg(env: Env, name: HttpcgName, input: ResolveInput): Promise<ResolvedDomain> {
  const row = await currentHost(env.LEDGER, name.host);
  if (!row?.record) throw new ResolveError("notFound", `no httpcg registration for ${name.host}`, "host");
  const endpoint = endpointOf(row.record, input.origin);
  return buildHttpcgResolved({
    name,
    record: { https_endpoint: endpoint, wallet_binding: row.record.wallet_binding, ttl_s: row.record.ttl_s },
    qlockKey: qlockKey(env),
    wallet: input.wallet,
    now: input.now,
    // Only a gateway under a plain-http origin (local `wrangler dev`) may be http.
    allowHttp: row.record.gateway !== undefined && input.origin.startsWith("http:"),
  });
}

/** Resolves a name; throws ResolveError (or a problem for a misconfigured Worker). */
export async function resolveName(env: Env, input: ResolveInput): Promise<Answer> {
  const cache = resolverCache(env);
  const readOnly = input.cache === "read-only";
  const key = `name|${input.origin}|${input.wallet ?? ""}|${input.name}`;
  const hit = readOnly ? cache.peek(key) : cache.get(key);
  if (hit?.kind === "answer") return { body: hit.body, ttl: hit.ttl, hit: true };
  if (hit?.kind === "missing") throw new ResolveError("notFound", hit.detail, hit.field);
  const name = parseName(input.name);
  const tag = name.protocol === "httpcg" ? hostTag(name.host) : didTag(name.did);
  let resolved: ResolvedDomain;
  try {
    if (name.protocol === "httpcg") resolved = await resolveHttpcg(env, name, input);
    else {
      const { document, metadata } = await resolveDid(env, name.did, { cache: input.cache });
      resolved = buildRootzkResolved({ name, document, deactivated: metadata.deactivated === true, now: input.now });
    }
  } catch (e) {
    // Unregistered names are remembered briefly, so a flood of them does not all reach D1.
    if (e instanceof ResolveError && e.code === "notFound" && e.field === "host" && !readOnly)
      cache.set(key, { kind: "missing", detail: e.detail, field: "host" }, { ttlMs: NEGATIVE_TTL_MS, tags: [tag] });
    throw e;
  }
  const body = JSON.stringify(resolved);
  if (!readOnly) cache.set(key, { kind: "answer", body, ttl: resolved.cache_ttl }, { ttlMs: resolved.cache_ttl * 1000, tags: [tag] });
  return { body, ttl: resolved.cache_ttl, hit: false };
}
