// DID resolution for the Worker: did:bpi from the D1 registry, did:key computed, did:web fetched
// over HTTPS (guarded: public hosts only, timeout, size cap). Results pass through the isolate
// cache, tagged with the DID so a registry update in this isolate drops them at once.
import { toIso } from "../../protocol/time.ts";
import {
  assertSupportedMethod,
  fetchDidWeb,
  parseBpiDid,
  parseDid,
  resolveDidKey,
  ResolveError,
  type DidDocument,
  type DidDocumentMetadata,
} from "../../domain/resolver/index.ts";
import { DID_TTL_MS, NEGATIVE_TTL_MS, resolverCache } from "./resolver-config.ts";
import { didAt, type DidRow } from "./registry-queries.ts";

export interface ResolvedDid {
  document: DidDocument;
  metadata: DidDocumentMetadata;
}

export interface DidOptions {
  /** did:bpi only: a past version by number, or the version current at a time. */
  versionId?: string;
  versionTime?: string;
  /** "read-only" looks in the cache but never adds to it (privacy mode). Default "use". */
  cache?: "use" | "read-only";
}

export const didTag = (did: string) => `did:${did}`;

function metadataOf(row: DidRow, next: DidRow | null): DidDocumentMetadata {
  const m: DidDocumentMetadata = { created: row.created, updated: row.updated, versionId: String(row.version) };
  if (row.deactivated) m.deactivated = true;
  if (next) Object.assign(m, { nextVersionId: String(next.version), nextUpdate: next.updated });
  return m;
}

async function resolveBpi(env: Env, did: string, opts: DidOptions): Promise<ResolvedDid> {
  parseBpiDid(did);
  let versionId: number | undefined;
  let versionTime: string | undefined;
  if (opts.versionId !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(opts.versionId)) throw new ResolveError("invalidDidUrl", "versionId is a positive integer", "versionId");
    versionId = Number(opts.versionId);
  }
  if (opts.versionTime !== undefined) {
    const t = Date.parse(opts.versionTime);
    if (!Number.isFinite(t) || t < 0 || t > 253402300799999) throw new ResolveError("invalidDidUrl", "versionTime is not a valid time", "versionTime");
    versionTime = toIso(t);
  }
  const found = await didAt(env.LEDGER, did, { versionId, versionTime });
  if (!found) throw new ResolveError("notFound", versionId || versionTime ? `${did} has no such version` : `${did} is not registered`, "did");
  return { document: found.row.document as DidDocument, metadata: metadataOf(found.row, found.next) };
}

async function resolveUncached(env: Env, did: string, method: string, opts: DidOptions): Promise<ResolvedDid> {
  if (method === "bpi") return resolveBpi(env, did, opts);
  if (opts.versionId !== undefined || opts.versionTime !== undefined)
    throw new ResolveError("invalidDidUrl", "versionId and versionTime apply to did:bpi only", opts.versionId !== undefined ? "versionId" : "versionTime");
  if (method === "key") return { document: resolveDidKey(did), metadata: {} };
  return { document: await fetchDidWeb(did, { fetch: (url, init) => fetch(url, init) }), metadata: {} };
}

/** Resolves a DID (throws ResolveError only). Past versions are never cached. */
export async function resolveDid(env: Env, did: string, opts: DidOptions = {}): Promise<ResolvedDid> {
  const method = assertSupportedMethod(parseDid(did));
  const versioned = opts.versionId !== undefined || opts.versionTime !== undefined;
  const cache = resolverCache(env);
  const key = `did|${did}`;
  const readOnly = opts.cache === "read-only";
  if (!versioned) {
    const hit = readOnly ? cache.peek(key) : cache.get(key);
    if (hit?.kind === "did") return { document: hit.document, metadata: hit.metadata };
    if (hit?.kind === "missing") throw new ResolveError("notFound", hit.detail, hit.field);
  }
  try {
    const out = await resolveUncached(env, did, method, opts);
    if (!versioned && !readOnly) cache.set(key, { kind: "did", ...out }, { ttlMs: DID_TTL_MS, tags: [didTag(did)] });
    return out;
  } catch (e) {
    if (e instanceof ResolveError && e.code === "notFound" && !versioned && !readOnly)
      cache.set(key, { kind: "missing", detail: e.detail, field: e.field ?? "did" }, { ttlMs: NEGATIVE_TTL_MS, tags: [didTag(did)] });
    throw e;
  }
}
