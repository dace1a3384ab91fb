// Read side of the registries in D1 (written only by RegistryDO through its outbox).
import { and, asc, desc, eq, lte } from "drizzle-orm";
import { didVersions, registryHosts } from "../../domain/ledger/schema.ts";
import { ledger, type DidVersionRow, type RegistryHostRow } from "../../domain/ledger/writes.ts";
import type { HostRecord } from "../../protocol/api/registry.ts";

/** A stored host version; `record` typed as the registry schema shapes it. */
export type HostRow = Omit<RegistryHostRow, "record"> & { record: HostRecord | null };

const hostCols = {
  host: registryHosts.host,
  version: registryHosts.version,
  owner: registryHosts.owner,
  actor: registryHosts.actor,
  deleted: registryHosts.deleted,
  record: registryHosts.record,
  ts: registryHosts.ts,
  audit_hash: registryHosts.auditHash,
};

const toHost = (r: Omit<HostRow, "record"> & { record: string | null }): HostRow => ({ ...r, record: r.record === null ? null : (JSON.parse(r.record) as HostRecord) });

// The two look-ups on the resolver's miss path are hand-written SQL (as the ledger's write path
// is): drizzle's query building costs about a third of a local D1 round trip here.
const HOST_SQL = "SELECT host, version, owner, actor, deleted, record, ts, audit_hash FROM registry_hosts WHERE host = ? ORDER BY version DESC LIMIT 1";
const DID_SQL = "SELECT did, version, actor, document, deactivated, created, updated, audit_hash FROM did_versions WHERE did = ? ORDER BY version DESC LIMIT 1";

/** The host's registration, or null when it was never registered or its last version removed it. */
export async function currentHost(d1: D1Database, host: string): Promise<HostRow | null> {
  const row = await d1.prepare(HOST_SQL).bind(host).first<Omit<HostRow, "record" | "deleted"> & { record: string | null; deleted: number }>();
  return row && !row.deleted ? toHost({ ...row, deleted: false }) : null;
}

export async function hostVersions(d1: D1Database, host: string, limit: number): Promise<HostRow[]> {
  const rows = await ledger(d1).select(hostCols).from(registryHosts).where(eq(registryHosts.host, host)).orderBy(asc(registryHosts.version)).limit(limit);
  return rows.map(toHost);
}

/** A stored did:bpi version, as the outbox wrote it. */
export type DidRow = DidVersionRow;

const didCols = {
  did: didVersions.did,
  version: didVersions.version,
  actor: didVersions.actor,
  document: didVersions.document,
  deactivated: didVersions.deactivated,
  created: didVersions.created,
  updated: didVersions.updated,
  audit_hash: didVersions.auditHash,
};

const toDid = (r: Omit<DidRow, "document"> & { document: string }): DidRow => ({ ...r, document: JSON.parse(r.document) as Record<string, unknown> });

/**
 * A DID's version: the latest, the one with this versionId, or the latest at versionTime.
 * Also the version after it (for nextVersionId / nextUpdate), when there is one.
 */
export async function didAt(d1: D1Database, did: string, at: { versionId?: number; versionTime?: string } = {}): Promise<{ row: DidRow; next: DidRow | null } | null> {
  if (at.versionId === undefined && at.versionTime === undefined) {
    const latest = await d1.prepare(DID_SQL).bind(did).first<Omit<DidRow, "document" | "deactivated"> & { document: string; deactivated: number }>();
    return latest ? { row: toDid({ ...latest, deactivated: latest.deactivated === 1 }), next: null } : null;
  }
  const db = ledger(d1);
  const where =
    at.versionId !== undefined
      ? and(eq(didVersions.did, did), eq(didVersions.version, at.versionId))
      : and(eq(didVersions.did, did), lte(didVersions.updated, at.versionTime!));
  const [row] = await db.select(didCols).from(didVersions).where(where).orderBy(desc(didVersions.version)).limit(1);
  if (!row) return null;
  const [next] = await db.select(didCols).from(didVersions).where(and(eq(didVersions.did, did), eq(didVersions.version, row.version + 1)));
  return { row: toDid(row), next: next ? toDid(next) : null };
}

export async function didHistory(d1: D1Database, did: string, limit: number): Promise<DidRow[]> {
  const rows = await ledger(d1).select(didCols).from(didVersions).where(eq(didVersions.did, did)).orderBy(asc(didVersions.version)).limit(limit);
  return rows.map(toDid);
}
