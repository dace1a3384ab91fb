import type { DidDocument } from "../../domain/resolver/index.ts";
import type { DidView, HostRecord, HostView } from "../../protocol/api/registry.ts";
import { AuditLog } from "../shared/audit-log.ts";
import { BaseDO } from "../shared/base-do.ts";
import { attempt, type Result } from "../../domain/result.ts";
import { syncSigner } from "../shared/sync-signer.ts";
import { DidRecords } from "./did-records.ts";
import { HostRecords } from "./host-records.ts";
import migrations from "./drizzle/migrations.js";
import { LEGACY_REGISTRY_STEPS } from "./legacy-schema.ts";

/**
 * The single writer of one registry name: an httpcg host (idFromName("httpcg:<host>")) or a
 * did:bpi DID (idFromName("did:<did>")). Sharding by name keeps writes to different names
 * parallel and gives each name its own consecutive audit chain. Each RPC is one user action:
 * ownership check, new version row, audit entry and ledger outbox rows in one transaction,
 * then the outbox is flushed to D1 (the alarm retries if D1 is down). Reads are served from D1.
 */
export class RegistryDO extends BaseDO {
  private readonly audit = new AuditLog(this.sql, this.outbox, () => syncSigner(this.env.CONTROL_PLANE_KEY, "CONTROL_PLANE_KEY"));
  private readonly hosts = new HostRecords(this.db, this.audit, this.outbox);
  private readonly dids = new DidRecords(this.db, this.audit, this.outbox);

  protected schema() {
    return { bundle: migrations, legacy: LEGACY_REGISTRY_STEPS };
  }

  protected async runTask(task: string): Promise<void> {
    console.warn(`RegistryDO: unknown task ${task} dropped`);
    this.schedule.done(task);
  }

  /** Runs a state change atomically; a DomainError rolls it back and becomes a problem. */
  private async act<T>(fn: () => T): Promise<Result<T>> {
    const result = attempt(() => this.ctx.storage.transactionSync(fn));
    if (result.ok) await this.flushSoon();
    return result;
  }

  setHost(actor: string, host: string, record: HostRecord): Promise<Result<{ created: boolean; changed: boolean; host: HostView }>> {
    return this.act(() => this.hosts.set(actor, host, record));
  }

  removeHost(actor: string, host: string): Promise<Result<{ host: string; version: number; deleted: true }>> {
    return this.act(() => this.hosts.remove(actor, host));
  }

  putDid(actor: string, did: string, doc: DidDocument): Promise<Result<{ created: boolean; view: DidView }>> {
    return this.act(() => this.dids.put(actor, did, doc));
  }

  deactivateDid(actor: string, did: string): Promise<Result<DidView>> {
    return this.act(() => this.dids.deactivate(actor, did));
  }
}
