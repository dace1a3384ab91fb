import { GENESIS } from "../../protocol/hash.ts";
import { signChainHeadSync, type ChainHead } from "../../protocol/head.ts";
import { signAuditEntrySyncWithText } from "../../protocol/signed.ts";
import type { AuditEntry, AuditEvent } from "../../protocol/schemas.ts";
import { isoNow } from "../../protocol/time.ts";
import { utf8View } from "../../protocol/bytes.ts";
import type { Outbox } from "./outbox.ts";
import { one } from "./rows.ts";
import { reject } from "../../domain/result.ts";
import type { MldsaSyncSigner, SyncSigner } from "./sync-signer.ts";
import type { TlogHead, TlogStore } from "./tlog-store.ts";

/** An entry bundle's 16-bit length prefix (tlog-tiles). */
export const MAX_ENTRY_BYTES = 0xffff;

/**
 * The cluster's hash-chained audit log. `append` must run inside the synchronous part of a
 * state change, so the entry, its chain link and its outbox row commit with that change.
 */
export class AuditLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
    private readonly signer: () => SyncSigner,
    /** The ML-DSA-65 co-signer while the cluster is quantum-safe (PROTOCOL.md §15), else undefined. */
    private readonly mldsa: () => MldsaSyncSigner | undefined = () => undefined,
    /** The chain as a C2SP log (PROTOCOL.md §6), where the owner keeps one (ClusterDO). */
    private readonly tlog?: { store: TlogStore; origin: (cluster: string) => string },
  ) {}

  /** Added to the details of every entry appended inside through(): how the action reached us. */
  private channel: Record<string, unknown> | undefined;

  /**
   * Runs `fn` (synchronously, inside a state change) so that each entry it appends also records
   * `channel` in its details, e.g. `{ via: "console" }`: the actor is still the wallet.
   */
  through<T>(channel: Record<string, unknown> | undefined, fn: () => T): T {
    const before = this.channel;
    this.channel = channel;
    try {
      return fn();
    } finally {
      this.channel = before;
    }
  }

  /** Stored JSON of audit entries [from, from + count) of the log (entry i has seq i + 1). */
  static entries(sql: SqlStorage, from: number, count: number): string[] {
    return sql
      .exec<{ body: string }>("SELECT body FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq", from, from + count)
      .toArray()
      .map((r) => r.body);
  }

  /** Signs a checkpoint of the audit log if it grew since the last one (at every flush). */
  checkpoint(cluster: string): TlogHead | null {
    if (!this.tlog) return null;
    return this.tlog.store.checkpoint(this.tlog.origin(cluster), this.signer());
  }

  append(cluster: string, event: AuditEvent, actor: string, subject: string, details: Record<string, unknown>, idempotencyKey?: string): AuditEntry {
    if (this.channel) details = { ...details, ...this.channel };
    if (idempotencyKey) {
      const seen = one<{ body: string }>(this.sql, "SELECT body FROM audit WHERE idempotency_key = ?", idempotencyKey);
      if (seen) return JSON.parse(seen.body) as AuditEntry;
    }
    const head = one<{ seq: number; hash: string }>(this.sql, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    const { entry, canonical } = signAuditEntrySyncWithText(
      {
        v: 1,
        cluster,
        seq: (head?.seq ?? 0) + 1,
        ts: isoNow(),
        event,
        actor,
        subject,
        details,
        prev_hash: head?.hash ?? GENESIS,
      },
      this.signer(),
      this.mldsa(),
    );
    // The log serves each entry in a C2SP entry bundle behind a 16-bit length (PROTOCOL.md §13):
    // a larger one could be chained but never served, so the change that makes it is refused
    // (this runs inside that change's transaction, so nothing of it is kept). JSON.stringify has
    // JCS's length: the same string and number forms, only the key order differs.
    const body = JSON.stringify(entry);
    if (body.length > MAX_ENTRY_BYTES / 3) {
      const bytes = utf8View(body).length;
      if (bytes > MAX_ENTRY_BYTES) {
        reject(413, `the audit entry of this change (${event} ${subject}) would be ${bytes} bytes; an audit log entry holds at most ${MAX_ENTRY_BYTES} (C2SP entry bundles): make the spec or document smaller (env, command, documents)`, { field: "body" });
      }
    }
    this.sql.exec("INSERT INTO audit (seq, hash, event, idempotency_key, body) VALUES (?, ?, ?, ?, ?)", entry.seq, entry.hash, event, idempotencyKey ?? null, body);
    if (this.tlog) {
      // Entries written before the log existed join it first, in seq order (once).
      const size = this.tlog.store.size();
      if (size < entry.seq - 1) this.tlog.store.append(AuditLog.entries(this.sql, size, entry.seq - 1 - size));
      // JCS of the entry itself: what entryBytes(body) gives, without parsing 34 KB back, and
      // from the canonicalisation that gave the entry's hash.
      // A view into a reused buffer: appendLeaves hashes it at once and keeps only the hash.
      this.tlog.store.appendLeaves([utf8View(canonical)]);
    }
    // The row names the entry; the flush reads its stored body (no second copy in the outbox).
    this.outbox.push({ kind: "ref", table: "audit", from: entry.seq, to: entry.seq, bytes: body.length });
    return entry;
  }

  /**
   * The chain's signed head, read from this DO's storage: D1 only mirrors the chain, so rows
   * deleted there cannot shorten what is signed here.
   */
  head(cluster: string): ChainHead {
    const last = one<{ seq: number; hash: string }>(this.sql, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    return signChainHeadSync({ v: 1, kind: "audit", cluster, size: last?.seq ?? 0, head_hash: last?.hash ?? GENESIS, issued_at: isoNow() }, this.signer());
  }
}
