// rootzk authentication around the proof: single-use challenges with expiry over an injected
// Map-like store (a Map in memory, or a Durable Object's storage through a tiny adapter), and
// verification of a proof against a resolved DID document.
//
// Atomicity: consume() reads and writes with no await in between when the store is synchronous
// (a Map); with an asynchronous store it relies on the store serialising callers, as a Durable
// Object does (storage calls do not let other events in while they run: input gates).
import { toHex, randomBytes } from "../../protocol/bytes.ts";
import { toIso } from "../../protocol/time.ts";
import { absoluteId, authenticationKeys, type DidDocument } from "./did-document.ts";
import { verify, type VerifyInput, type ZkVerifyResult } from "../../protocol/rootzk/zk-schnorr.ts";

export interface ChallengeRecord {
  /** the DID the challenge was issued for, or null for any */
  did: string | null;
  expires_ms: number;
  used: boolean;
}

type MaybePromise<T> = T | Promise<T>;

export interface KeyValueStore<V> {
  get(key: string): MaybePromise<V | undefined>;
  set(key: string, value: V): unknown;
  delete(key: string): unknown;
  /** optional: lets sweep() drop expired records */
  entries?(): Iterable<[string, V]>;
}

export type ConsumeResult = { ok: true } | { ok: false; reason: "unknown" | "expired" | "replayed" | "didMismatch" };

const nowMs = (now: Date | number) => (typeof now === "number" ? now : now.getTime());

export class ChallengeStore {
  readonly ttlS: number;
  private readonly random: (n: number) => Uint8Array;

  constructor(
    private readonly store: KeyValueStore<ChallengeRecord>,
    opts: { ttlS?: number; random?: (n: number) => Uint8Array } = {},
  ) {
    this.ttlS = opts.ttlS ?? 120;
    if (!Number.isSafeInteger(this.ttlS) || this.ttlS <= 0) throw new RangeError("ttlS must be a positive integer");
    this.random = opts.random ?? randomBytes;
  }

  /** A fresh random 32-byte challenge (64 hex), valid once until expires_at. */
  async issue(opts: { did?: string | null; now: Date | number }): Promise<{ challenge: string; expires_at: string }> {
    const challenge = toHex(this.random(32));
    const expires_ms = nowMs(opts.now) + this.ttlS * 1000;
    await this.store.set(challenge, { did: opts.did ?? null, expires_ms, used: false });
    return { challenge, expires_at: toIso(expires_ms) };
  }

  /** Marks the challenge used; only the first call for a live challenge succeeds. */
  async consume(challenge: string, opts: { did: string; now: Date | number }): Promise<ConsumeResult> {
    const got = this.store.get(challenge);
    const rec = got instanceof Promise ? await got : got;
    if (!rec) return { ok: false, reason: "unknown" };
    if (rec.used) return { ok: false, reason: "replayed" };
    if (nowMs(opts.now) >= rec.expires_ms) {
      await this.store.delete(challenge);
      return { ok: false, reason: "expired" };
    }
    if (rec.did !== null && rec.did !== opts.did) return { ok: false, reason: "didMismatch" };
    await this.store.set(challenge, { ...rec, used: true }); // kept until expiry to report replays
    return { ok: true };
  }

  /** Drops expired records (stores that can list entries only). Returns how many. */
  async sweep(now: Date | number): Promise<number> {
    if (!this.store.entries) return 0;
    const t = nowMs(now);
    const dead = [...this.store.entries()].filter(([, r]) => t >= r.expires_ms).map(([k]) => k);
    for (const k of dead) await this.store.delete(k);
    return dead.length;
  }
}

/** Verifies a proof against a DID document: proof.did is the document's id, kid an authentication key. */
export function verifyForDocument(proof: unknown, doc: DidDocument, input: VerifyInput): ZkVerifyResult & { kid?: string; address?: string } {
  if (typeof proof !== "object" || proof === null) return { ok: false, reason: "proof must be an object" };
  const p = proof as { did?: unknown; kid?: unknown };
  if (p.did !== doc.id) return { ok: false, reason: "proof is for another DID" };
  if (typeof p.kid !== "string") return { ok: false, reason: "kid is not a string" };
  const kid = absoluteId(doc, p.kid);
  const key = authenticationKeys(doc).find((k) => k.id === kid);
  if (!key) return { ok: false, reason: "kid is not an Ed25519 authentication key of the DID" };
  const r = verify(proof, key.publicKey, input);
  return r.ok ? { ok: true, kid, address: key.address } : r;
}

/** Full check: the proof verifies for the document, then its challenge is consumed (single use). */
export async function verifyAndConsume(
  proof: unknown,
  doc: DidDocument,
  challenges: ChallengeStore,
  input: Omit<VerifyInput, "expectedChallenge">,
): Promise<ZkVerifyResult & { kid?: string; address?: string }> {
  const challenge = typeof proof === "object" && proof !== null ? (proof as { challenge?: unknown }).challenge : undefined;
  if (typeof challenge !== "string") return { ok: false, reason: "proof has no challenge" };
  const r = verifyForDocument(proof, doc, { ...input, expectedChallenge: challenge });
  if (!r.ok) return r;
  const c = await challenges.consume(challenge, { did: doc.id, now: input.now });
  if (!c.ok) return { ok: false, reason: `challenge ${c.reason}` };
  return r;
}
