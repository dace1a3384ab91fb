import { and, asc, eq, inArray } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { CompiledAgreement } from "../../domain/agreements/types.ts";
import type { AgreementType } from "../../protocol/api/agreement.ts";
import { agreements, agreementVersions } from "./schema.ts";

export interface AgreementRow {
  name: string;
  type: AgreementType;
  version: number;
  status: "deploying" | "ready" | "removing";
  owned: string[];
  pending: string[][];
  current_wave: string[];
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface AgreementVersionRow {
  name: string;
  version: number;
  hash: string;
  type: AgreementType;
  documents: unknown[];
  compiled: CompiledAgreement;
  author: string;
  created_at: string;
  cause: string;
}

const toRow = (r: typeof agreements.$inferSelect): AgreementRow => ({
  ...r,
  type: r.type as AgreementType,
  owned: JSON.parse(r.owned),
  pending: JSON.parse(r.pending),
  current_wave: JSON.parse(r.current_wave),
});
const toVersion = (r: typeof agreementVersions.$inferSelect): AgreementVersionRow => ({
  ...r,
  type: r.type as AgreementType,
  documents: JSON.parse(r.documents),
  compiled: JSON.parse(r.compiled),
});

/** The ClusterDO's agreements and their versions (schema.ts: agreements, agreement_versions). */
export class AgreementStore {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  get(name: string): AgreementRow | undefined {
    const r = this.db.select().from(agreements).where(eq(agreements.name, name)).get();
    return r && toRow(r);
  }

  list(): AgreementRow[] {
    return this.db.select().from(agreements).orderBy(asc(agreements.name)).all().map(toRow);
  }

  /** Agreements with waves to apply or remove. */
  busy(): AgreementRow[] {
    return this.db.select().from(agreements).where(inArray(agreements.status, ["deploying", "removing"])).all().map(toRow);
  }

  /** The agreement that owns workload `name`, if any. */
  ownerOf(name: string): string | undefined {
    return this.list().find((a) => a.owned.includes(name))?.name;
  }

  put(row: AgreementRow): void {
    const values = { ...row, owned: JSON.stringify(row.owned), pending: JSON.stringify(row.pending), current_wave: JSON.stringify(row.current_wave) };
    this.db.insert(agreements).values(values).onConflictDoUpdate({ target: agreements.name, set: values }).run();
  }

  remove(name: string): void {
    this.db.delete(agreements).where(eq(agreements.name, name)).run();
    this.db.delete(agreementVersions).where(eq(agreementVersions.name, name)).run();
  }

  versions(name: string): AgreementVersionRow[] {
    return this.db.select().from(agreementVersions).where(eq(agreementVersions.name, name)).orderBy(asc(agreementVersions.version)).all().map(toVersion);
  }

  version(name: string, version: number): AgreementVersionRow | undefined {
    const r = this.db.select().from(agreementVersions).where(and(eq(agreementVersions.name, name), eq(agreementVersions.version, version))).get();
    return r && toVersion(r);
  }

  addVersion(v: AgreementVersionRow): void {
    this.db.insert(agreementVersions).values({ ...v, documents: JSON.stringify(v.documents), compiled: JSON.stringify(v.compiled) }).run();
  }
}
