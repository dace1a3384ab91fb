// Per-isolate resolver state: the resolution cache, the QLOCK key and the list of resolver
// admins, each built once from the Worker's env on first use.
import { syncSigner } from "../../durable-objects/shared/sync-signer.ts";
import { toHex, randomBytes } from "../../protocol/bytes.ts";
import { fail } from "../../domain/problem.ts";
import { LruCache, qlockKeyFromSecret, type DidDocument, type DidDocumentMetadata } from "../../domain/resolver/index.ts";

export const DEFAULT_CACHE_SIZE = 10_000;
/** How long "not registered" is remembered: short, because other isolates cannot be told of a new registration. */
export const NEGATIVE_TTL_MS = 30_000;
export const DID_TTL_MS = 600_000;

export type CacheValue =
  /** a ResolvedDomain, already serialised: a hit costs no JSON.stringify */
  | { kind: "answer"; body: string; ttl: number }
  | { kind: "did"; document: DidDocument; metadata: DidDocumentMetadata }
  /** a remembered notFound */
  | { kind: "missing"; detail: string; field: string };

/**
 * Identifies the isolate in cache stats: every isolate has its own cache. Made on first use:
 * workerd forbids random number generation at global scope.
 */
export function isolateId(): string {
  isolateId_ ??= toHex(randomBytes(6));
  return isolateId_;
}
let isolateId_: string | undefined;

let cache: LruCache<CacheValue> | undefined;

export function resolverCache(env: Env): LruCache<CacheValue> {
  if (!cache) {
    const n = Number(env.DOMAIN_RESOLUTION_CACHE_SIZE ?? DEFAULT_CACHE_SIZE);
    cache = new LruCache<CacheValue>({ capacity: Number.isSafeInteger(n) && n >= 1 && n <= 1_000_000 ? n : DEFAULT_CACHE_SIZE });
  }
  return cache;
}

let qlock: { secret: string; key: Uint8Array } | undefined;

export function qlockKey(env: Env): Uint8Array {
  if (qlock?.secret !== env.QLOCK_KEY) {
    try {
      qlock = { secret: env.QLOCK_KEY, key: qlockKeyFromSecret(env.QLOCK_KEY ?? "") };
    } catch {
      // A deployment error, not the caller's: say what to set, never the value.
      fail(500, "QLOCK_KEY is missing or shorter than 16 characters; set the Worker secret (npm start writes one to .dev.vars)");
    }
  }
  return qlock!.key;
}

/**
 * Who may clear the cache. Outside a cluster there is no role table, so "admin" is a deployment
 * setting: RESOLVER_ADMINS lists bpi1 addresses; unset, the control-plane key alone (whoever
 * holds the deployment's signing secret already operates it). No bootstrap, no self-service.
 */
export function resolverAdmins(env: Env): Set<string> {
  const listed = (env.RESOLVER_ADMINS ?? "").split(/[\s,]+/).filter((a) => a !== "");
  return new Set(listed.length > 0 ? listed : [syncSigner(env.CONTROL_PLANE_KEY, "CONTROL_PLANE_KEY").address]);
}
