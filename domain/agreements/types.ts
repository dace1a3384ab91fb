// The agreement engine's one interface: every format (CueYaml, Compose, CueTree, DockLock, k8s,
// CueCage) turns a parsed document into the same CompiledAgreement, so apply/diff/validate/
// rollback have a single implementation whatever the user brought. Add to this file; never
// rename (other formats build on it).
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { AgreementType as AgreementTypes, type AgreementType } from "../../protocol/api/agreement.ts";

// The `--type` names of the CLI (seed 000's AgreementType, kebab-cased); the wire enum owns them.
export type { AgreementType };
export const AGREEMENT_TYPES = AgreementTypes.options;

/** One problem in a document, located where the yaml parser could (1-based line and column). */
export interface FieldIssue {
  /** dotted path into the document ("spec.security.quantum_crypto", "services.web.ports.0") */
  path: string;
  message: string;
  line?: number;
  column?: number;
  /** which document of the body (0-based) the issue is about; set by the engine, or by a group compile */
  document?: number;
}

/** A compile result: formats report every issue they find, not just the first. */
export type Compiled<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };
export const compiled = <T>(value: T): Compiled<T> => ({ ok: true, value });
export const refused = (issues: FieldIssue[]): Compiled<never> => ({ ok: false, issues });

/** A parsed document of a (possibly multi-document) body, with a way back to its source lines. */
export interface SourceDocument {
  /** position in the body, 0-based */
  index: number;
  /** the document as plain JSON data (anchors and merge keys resolved) */
  value: unknown;
  /** line/column of a path in the source; undefined when the body was JSON or the path is absent */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

/** What a compile may depend on besides the document. */
export interface CompileContext {
  cluster: string;
  /** nodes the agreement is pinned to (`--target-nodes`); formats do not need to handle it: compileBody adds them to every workload's constraints */
  targetNodes?: string[];
  /** the agreement's name from the request (`?name=`; the CLI sends the file's base name) for formats without one */
  name?: string;
  /** the cluster's settings a format checks a document against (seed security fields) */
  config?: { quantum_crypto_enabled?: boolean; audit_to_bpi_ledger?: boolean; security_level?: string };
}

/**
 * An httpcg registration the agreement asks for: host -> this cluster's gateway for `workload`
 * (CueYaml `network.ingress`, wallet binding from `bpi.wallet_authentication`).
 */
export interface RegistryBinding {
  host: string;
  workload: string;
  /** TLS required by clients (httpcg always is; recorded so a `tls: false` can be refused) */
  tls: boolean;
}

/** A deterministic job verified on N distinct nodes (CueCage); run by the cue-cage machinery. */
export interface CageJob {
  /** the workload (replicas 1, restart never, cage.determinism) run once per node */
  workload: string;
  /** distinct nodes that must agree on the witness root */
  nodes: number;
}

export interface CompiledAgreement {
  /** the agreement's name (metadata.name, the compose project, the spec's name) */
  name: string;
  type: AgreementType;
  /** what the agreement runs; names are cluster-unique workload names */
  workloads: WorkloadSpec[];
  /**
   * Dependency waves: every workload of wave i+1 starts after all of wave i are healthy; removal
   * walks the waves in reverse. Absent: one wave of everything.
   */
  order?: string[][];
  /** httpcg registrations pointing at a workload's gateway */
  registry?: RegistryBinding[];
  /** a verified deterministic job instead of (or besides) long-running workloads */
  job?: CageJob;
  /** per workload: labels the document gives it (Compose `labels`), kept with the agreement */
  labels?: Record<string, Record<string, string>>;
  /** seed settings ENC records without an effect of its own (e.g. ledger_audit: always on) */
  notes?: string[];
  /** `--target-nodes`: node addresses every workload is constrained to (part of the version) */
  target_nodes?: string[];
}

export interface AgreementFormat {
  type: AgreementType;
  /** Does this document look like this format? Cheap and total: never throws. */
  detect(doc: unknown): boolean;
  /**
   * The agreement's name as the document states it, before a full compile (apply groups and
   * reports objects by it). Undefined when the document has none.
   */
  name(doc: unknown): string | undefined;
  /**
   * Validates (schema, refusing by path every field ENC cannot honour) and compiles. Issues carry
   * paths; the caller fills line/column from SourceDocument.locate.
   */
  compile(doc: SourceDocument, ctx: CompileContext): Compiled<CompiledAgreement>;
  /**
   * Several documents that form one agreement (k8s: Deployment + Service + ConfigMap). Default:
   * each document alone. Returns groups of document indexes.
   */
  group?(docs: readonly SourceDocument[]): number[][];
  /** compile a group formed by `group` (required with `group`) */
  compileGroup?(docs: readonly SourceDocument[], ctx: CompileContext): Compiled<CompiledAgreement>;
}
