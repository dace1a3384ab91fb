// Read side of the registries in D1 (written only by RegistryDO through its outbox).
import { and, asc, desc, eq, lte } from "drizzle-orm";
import { didVersions, registryHosts } from "../ledger/schema.ts";
import { ledger } from "../ledger/writes.ts";
import type { HostRecord } from "./registry-schemas.ts";

export interface HostRow {
  host: string;
  version: number;
  owner: string;
  actor: string;
  deleted: boolean;
  record: HostRecord | null;
  ts: string;
  audit_hash: string;
}

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

/** The host's registration, or null when it was never registered or its last version removed it. */
export async function currentHost(d1: D1Database, host: string): Promise<HostRow | null> {
  const [row] = await ledger(d1).select(hostCols).from(registryHosts).where(eq(registryHosts.host, host)).orderBy(desc(registryHosts.version)).limit(1);
  return row && !row.deleted ? toHost(row) : null;
}

export async function hostVersions(d1: D1Database, host: string, limit: number): Promise<HostRow[]> {
  const rows = await ledger(d1).select(hostCols).from(registryHosts).where(eq(registryHosts.host, host)).orderBy(asc(registryHosts.version)).limit(limit);
  return rows.map(toHost);
}

export interface DidRow {
  did: string;
  version: number;
  actor: string;
  document: Record<string, unknown>;
  deactivated: boolean;
  created: string;
  updated: string;
  audit_hash: string;
}

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
  const db = ledger(d1);
  const where =
    at.versionId !== undefined
      ? and(eq(didVersions.did, did), eq(didVersions.version, at.versionId))
      : at.versionTime !== undefined
        ? and(eq(didVersions.did, did), lte(didVersions.updated, at.versionTime))
        : eq(didVersions.did, did);
  const [row] = await db.select(didCols).from(didVersions).where(where).orderBy(desc(didVersions.version)).limit(1);
  if (!row) return null;
  if (at.versionId === undefined && at.versionTime === undefined) return { row: toDid(row), next: null };
  const [next] = await db.select(didCols).from(didVersions).where(and(eq(didVersions.did, did), eq(didVersions.version, row.version + 1)));
  return { row: toDid(row), next: next ? toDid(next) : null };
}

export async function didHistory(d1: D1Database, did: string, limit: number): Promise<DidRow[]> {
  const rows = await ledger(d1).select(didCols).from(didVersions).where(eq(didVersions.did, did)).orderBy(asc(didVersions.version)).limit(limit);
  return rows.map(toDid);
}
