import { randomBytes } from "../../protocol/bytes.ts";
import { ChallengeStore, type ChallengeRecord, type ConsumeResult, type KeyValueStore } from "../../domain/resolver/index.ts";
import { BaseDO } from "../shared/base-do.ts";
import { all, one } from "../shared/rows.ts";
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
      const r = one<{ did: string | null; expires_ms: number; used: number }>(this.sql, "SELECT did, expires_ms, used FROM challenges WHERE challenge = ?", k);
      return r && { did: r.did, expires_ms: r.expires_ms, used: r.used === 1 };
    },
    set: (k, v) =>
      this.sql.exec(
        "INSERT INTO challenges (challenge, did, expires_ms, used) VALUES (?, ?, ?, ?) ON CONFLICT (challenge) DO UPDATE SET used = excluded.used",
        k,
        v.did,
        v.expires_ms,
        v.used ? 1 : 0,
      ),
    delete: (k) => this.sql.exec("DELETE FROM challenges WHERE challenge = ?", k),
    entries: () =>
      all<{ challenge: string; did: string | null; expires_ms: number; used: number }>(this.sql, "SELECT * FROM challenges").map(
        (r) => [r.challenge, { did: r.did, expires_ms: r.expires_ms, used: r.used === 1 }] as [string, ChallengeRecord],
      ),
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
    const next = one<{ t: number | null }>(this.sql, "SELECT MIN(expires_ms) AS t FROM challenges")?.t;
    if (next != null) this.schedule.at(SWEEP, next + 1000);
  }
}
