import { randomBytes } from "../../protocol/bytes.ts";
import { ChallengeStore, type ChallengeRecord, type ConsumeResult, type KeyValueStore } from "../../domain/resolver/index.ts";
import { BaseDO } from "../shared/base-do.ts";
import { eq, min } from "drizzle-orm";
import { challenges } from "./challenge-schema.ts";
import migrations from "./challenge-drizzle/migrations.js";
import { LEGACY_CHALLENGE_STEPS } from "./legacy-schema.ts";

/** Challenges are spread over this many instances; the first hex digit of a challenge names its shard. */
export const CHALLENGE_SHARDS = 16;
const SWEEP = "sweep";

/**
 * rootzk challenges, single use and expiring, held in a Durable Object so that they hold across
 * isolates. consume() runs entirely on the synchronous SQLite API with no await, so two requests
 * racing to use one challenge cannot both succeed. Privacy: a row is a random challenge, its
 * expiry, a used flag and (only if the client asked for a DID-bound challenge) that DID; rows
 * are deleted by an alarm soon after they expire. Nothing else about the requester is stored.
 */
export class ZkChallengeDO extends BaseDO {
  private readonly kv: KeyValueStore<ChallengeRecord> = {
    get: (k) => {
      const r = this.db.select({ did: challenges.did, expires_ms: challenges.expires_ms, used: challenges.used }).from(challenges).where(eq(challenges.challenge, k)).get();
      return r && { did: r.did, expires_ms: r.expires_ms, used: r.used === 1 };
    },
    set: (k, v) =>
      this.db
        .insert(challenges)
        .values({ challenge: k, did: v.did, expires_ms: v.expires_ms, used: v.used ? 1 : 0 })
        .onConflictDoUpdate({ target: challenges.challenge, set: { used: v.used ? 1 : 0 } })
        .run(),
    delete: (k) => this.db.delete(challenges).where(eq(challenges.challenge, k)).run(),
    entries: () =>
      this.db
        .select()
        .from(challenges)
        .all()
        .map((r) => [r.challenge, { did: r.did, expires_ms: r.expires_ms, used: r.used === 1 }]),
  };

  protected schema() {
    return { bundle: migrations, legacy: LEGACY_CHALLENGE_STEPS };
  }

  /** A fresh challenge whose first hex digit is `shard`, so consume() finds this instance again. */
  async issue(shard: number, did: string | null, ttlS: number): Promise<{ challenge: string; expires_at: string }> {
    const random = (n: number) => {
      const b = randomBytes(n);
      b[0] = (b[0] & 0x0f) | ((shard & 0x0f) << 4);
      return b;
    };
    const out = await new ChallengeStore(this.kv, { ttlS, random }).issue({ did, now: Date.now() });
    this.schedule.at(SWEEP, Date.parse(out.expires_at) + 1000);
    return out;
  }

  async consume(challenge: string, did: string): Promise<ConsumeResult> {
    return new ChallengeStore(this.kv).consume(challenge, { did, now: Date.now() });
  }

  protected async runTask(task: string): Promise<void> {
    this.schedule.done(task);
    if (task !== SWEEP) return;
    await new ChallengeStore(this.kv).sweep(Date.now());
    const next = this.db.select({ t: min(challenges.expires_ms) }).from(challenges).get()?.t;
    if (next != null) this.schedule.at(SWEEP, next + 1000);
  }
}
