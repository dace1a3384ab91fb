import { canonicalize } from "../../protocol/jcs.ts";
import type { RegistryHostRow } from "../../domain/ledger/writes.ts";
import type { HostRecord, HostView } from "../../protocol/api/registry.ts";
import type { AuditLog } from "../shared/audit-log.ts";
import type { Outbox } from "../shared/outbox.ts";
import { reject } from "../../domain/result.ts";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { Versions } from "./versions.ts";

/** The audit chain of one host: its AuditEntries carry `cluster = "registry:httpcg:<host>"`. */
export const hostChain = (host: string) => `registry:httpcg:${host}`;

const view = (r: RegistryHostRow): HostView => ({
  host: r.host,
  version: r.version,
  owner: r.owner,
  record: r.record as HostRecord,
  updated_at: r.ts,
  audit_hash: r.audit_hash,
});

/**
 * One httpcg host's versions. The first signer claims the host; while it is registered only that
 * owner changes or removes it. Removing releases the claim (the next PUT is a new registration,
 * history and the audit chain continue). Every method runs inside the DO's transaction.
 */
export class HostRecords {
  private readonly versions: Versions<RegistryHostRow>;

  constructor(
    db: DrizzleSqliteDODatabase,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
  ) {
    this.versions = new Versions(db);
  }

  get(host: string): HostView | undefined {
    const cur = this.live(host);
    return cur && view(cur);
  }

  set(actor: string, host: string, record: HostRecord): { created: boolean; changed: boolean; host: HostView } {
    const cur = this.versions.current();
    const live = this.live(host);
    if (live && live.owner !== actor) reject(403, `${host} is registered to another wallet; only its owner may change it`, { field: "host" });
    // Re-sending the current record is a no-op: no new version, no audit entry.
    if (live && canonicalize(live.record) === canonicalize(record)) return { created: false, changed: false, host: view(live) };
    const version = (cur?.version ?? 0) + 1;
    const entry = this.audit.append(hostChain(host), live ? "DomainUpdated" : "DomainRegistered", actor, host, { host, version, record });
    const row: RegistryHostRow = { host, version, owner: live?.owner ?? actor, actor, deleted: false, record, ts: entry.ts, audit_hash: entry.hash };
    this.commit(row);
    return { created: !live, changed: true, host: view(row) };
  }

  remove(actor: string, host: string): { host: string; version: number; deleted: true } {
    const live = this.live(host);
    if (!live) reject(404, `${host} is not registered`, { field: "host" });
    if (live.owner !== actor) reject(403, `${host} is registered to another wallet; only its owner may remove it`, { field: "host" });
    const version = live.version + 1;
    const entry = this.audit.append(hostChain(host), "DomainRemoved", actor, host, { host, version });
    this.commit({ host, version, owner: live.owner, actor, deleted: true, record: null, ts: entry.ts, audit_hash: entry.hash });
    return { host, version, deleted: true };
  }

  private live(host: string): RegistryHostRow | undefined {
    const cur = this.versions.current();
    // One DO per host (idFromName("httpcg:<host>")): another host here is a routing bug.
    if (cur && cur.host !== host) throw new Error(`RegistryDO holds ${cur.host}, not ${host}`);
    return cur && !cur.deleted ? cur : undefined;
  }

  private commit(row: RegistryHostRow): void {
    this.versions.insert(row);
    this.outbox.push({ kind: "registry_host", row });
  }
}
