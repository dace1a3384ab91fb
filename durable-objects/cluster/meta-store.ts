import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { SchedulerState } from "../../domain/scheduler/types.ts";

/** The ClusterDO's single-valued state, kept as JSON under fixed keys of `meta`. */
export class ClusterMeta {
  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly sqlite: SqlStorage,
  ) {}

  // Raw (reads and writes): the record is read by every action's role check, and drizzle's query
  // building was most of a read (~40 µs of ~55); a deploy writes two of these keys.
  private get(key: string): string | undefined {
    return this.sqlite.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private set(key: string, value: string): void {
    this.sqlite.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  /** The cluster's record (name, owner, config), once created. */
  record<T>(): T | undefined {
    const v = this.get("cluster");
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  /**
   * The record's config.quantum_safe, read by SQLite: every audit entry asks (its ML-DSA
   * co-signature), 13 times a deploy, and parsing the whole record each time showed in profiles.
   */
  quantumSafe(): boolean {
    return this.sqlite.exec("SELECT value->>'$.config.quantum_safe' AS v FROM meta WHERE key = 'cluster'").toArray()[0]?.v === 1;
  }

  setRecord(rec: unknown): void {
    this.set("cluster", JSON.stringify(rec));
  }

  /** Bumped by every change agents must see; they long-poll on it. */
  desiredVersion(): number {
    return Number(this.get("desired_version") ?? 0);
  }

  bumpVersion(): number {
    return this.sqlite
      .exec<{ v: number }>("INSERT INTO meta (key, value) VALUES ('desired_version', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER) AS v")
      .one().v;
  }

  /**
   * The cluster's pipelines by name (a few, each with its recent promotions): one JSON value, as
   * they are read and written whole by each pipeline action.
   */
  pipelines<T>(): Record<string, T> {
    return JSON.parse(this.get("pipelines") ?? "{}") as Record<string, T>;
  }

  setPipelines(all: Record<string, unknown>): void {
    this.set("pipelines", JSON.stringify(all));
  }

  schedState(): SchedulerState {
    return JSON.parse(this.get("sched_state") ?? "{}");
  }

  setSchedState(s: SchedulerState): void {
    this.set("sched_state", JSON.stringify(s));
  }
}
