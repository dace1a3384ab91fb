import { hashCanonical } from "../../protocol/hash.ts";
import { canonicalize } from "../../protocol/jcs.ts";
import type { DidVersionRow } from "../../domain/ledger/writes.ts";
import { authenticationKeys, type DidDocument } from "../../domain/resolver/index.ts";
import type { DidView } from "../../protocol/api/registry.ts";
import type { AuditLog } from "../shared/audit-log.ts";
import type { Outbox } from "../shared/outbox.ts";
import { reject } from "../../domain/result.ts";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { Versions } from "./versions.ts";

/** The audit chain of one DID: its AuditEntries carry `cluster = "registry:<did>"`. */
export const didChain = (did: string) => `registry:${did}`;

/** Addresses of the document's Ed25519 authentication keys (a bad key simply counts as none). */
function controllers(doc: DidDocument): string[] {
  try {
    return authenticationKeys(doc).map((k) => k.address);
  } catch {
    return [];
  }
}

export function didView(r: DidVersionRow): DidView {
  const meta: DidView["didDocumentMetadata"] = { versionId: String(r.version), created: r.created, updated: r.updated };
  if (r.deactivated) meta.deactivated = true;
  return { did: r.did, didDocument: r.document as DidView["didDocument"], didDocumentMetadata: meta };
}

/**
 * One did:bpi DID's versions. Create: the signer must hold one of the new document's Ed25519
 * authentication keys. Update and deactivate: one of the *current* version's keys, so a key
 * removed by an update loses control at once. A deactivated DID is final.
 */
export class DidRecords {
  private readonly versions: Versions<DidVersionRow>;

  constructor(
    db: DrizzleSqliteDODatabase,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
  ) {
    this.versions = new Versions(db);
  }

  put(actor: string, did: string, doc: DidDocument): { created: boolean; view: DidView } {
    const cur = this.current(did);
    if (cur?.deactivated) reject(410, `${did} is deactivated; it cannot be updated`, { field: "did" });
    if (controllers(doc).length === 0)
      reject(422, "the document needs at least one Ed25519 Multikey in authentication, or nobody could update it", { field: "authentication" });
    const allowed = controllers(cur ? (cur.document as DidDocument) : doc);
    if (!allowed.includes(actor)) {
      const which = cur ? `the current version (${cur.version}) of ${did}` : "the document";
      reject(403, `the signer ${actor} is not an Ed25519 authentication key of ${which}`, { field: "authentication" });
    }
    if (cur && canonicalize(cur.document) === canonicalize(doc)) return { created: false, view: didView(cur) };
    const version = (cur?.version ?? 0) + 1;
    const entry = this.audit.append(didChain(did), cur ? "DidUpdated" : "DidCreated", actor, did, {
      did,
      version_id: String(version),
      document_hash: hashCanonical(doc),
    });
    const row: DidVersionRow = { did, version, actor, document: doc, deactivated: false, created: cur?.created ?? entry.ts, updated: entry.ts, audit_hash: entry.hash };
    this.commit(row);
    return { created: !cur, view: didView(row) };
  }

  deactivate(actor: string, did: string): DidView {
    const cur = this.current(did);
    if (!cur) reject(404, `${did} is not registered`, { field: "did" });
    if (cur.deactivated) reject(410, `${did} is already deactivated`, { field: "did" });
    if (!controllers(cur.document as DidDocument).includes(actor))
      reject(403, `the signer ${actor} is not an Ed25519 authentication key of the current version of ${did}`, { field: "did" });
    const version = cur.version + 1;
    const entry = this.audit.append(didChain(did), "DidDeactivated", actor, did, { did, version_id: String(version) });
    const row: DidVersionRow = { ...cur, version, actor, deactivated: true, updated: entry.ts, audit_hash: entry.hash };
    this.commit(row);
    return didView(row);
  }

  private current(did: string): DidVersionRow | undefined {
    const cur = this.versions.current();
    if (cur && cur.did !== did) throw new Error(`RegistryDO holds ${cur.did}, not ${did}`);
    return cur;
  }

  private commit(row: DidVersionRow): void {
    this.versions.insert(row);
    this.outbox.push({ kind: "did_version", row });
  }
}
