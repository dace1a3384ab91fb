// Security levels: a cluster setting that only rises, each level a fixed set of rules checked at
// every change. The table here is the one the README shows; the rules with a `check` are enforced
// by this module, the others where their subject lives (named in `enforced_by`).
import { SecurityLevel, type ClusterConfig } from "../../protocol/api/cluster.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";

export const LEVELS = SecurityLevel.options;

export const rank = (l: SecurityLevel): number => LEVELS.indexOf(l);

export interface LevelViolation {
  level: SecurityLevel;
  rule: string;
  field: string;
  detail: string;
}

interface Rule {
  level: SecurityLevel;
  rule: string;
  summary: string;
  enforced_by: string;
}

/** Every rule, lowest level first; a level has its own rules and all below it. */
export const LEVEL_RULES: readonly Rule[] = [
  { level: "standard", rule: "signed-requests", summary: "every mutating request is signed (RFC 9421) and role-checked", enforced_by: "the Worker's signature middleware" },
  { level: "standard", rule: "audit-ledger", summary: "every change is a control-plane-signed AuditEntry", enforced_by: "the ClusterDO's audit chain" },
  { level: "enterprise", rule: "gateway-wallet-auth", summary: "a workload with ports (a gateway service) sets wallet_authentication", enforced_by: "deploy, update, scale" },
  { level: "enterprise", rule: "no-host-network", summary: 'no workload has cage.network "host"', enforced_by: "deploy, update, scale" },
  { level: "enterprise", rule: "dual-control-production", summary: "promotions into a production stage need two approvers other than the author, whatever the pipeline says", enforced_by: "pipeline create (refused), promote (raised to 2)" },
  { level: "enterprise", rule: "audit-witnessed", summary: "config.witnesses names at least one witness of the audit log", enforced_by: "cluster create, security-level raise" },
  { level: "military_grade", rule: "determinism-cage", summary: "every workload runs in the determinism cage (cage.determinism), so its witness root is replayable", enforced_by: "deploy, update, scale" },
  { level: "military_grade", rule: "witness-recording", summary: "every workload's exit receipt carries the witness root of its stdin, stdout, stderr and output files; in the determinism cage no init runs, so the witness is the command's own", enforced_by: "the agent, with determinism-cage" },
  { level: "military_grade", rule: "network-none", summary: 'cage.network is "none" unless an allow policy matching the change admits it', enforced_by: "deploy, update, scale" },
  { level: "military_grade", rule: "quantum-safe", summary: "config.quantum_safe is on: ML-DSA co-signatures on audit entries and LogBlocks", enforced_by: "cluster create, security-level raise (forced on)" },
  { level: "military_grade", rule: "min-one-witness", summary: "at least one witness cosigns the logs", enforced_by: "cluster create, security-level raise" },
];

export const rulesOf = (level: SecurityLevel): Rule[] => LEVEL_RULES.filter((r) => rank(r.level) <= rank(level));

const v = (level: SecurityLevel, rule: string, field: string, what: string): LevelViolation => ({
  level,
  rule,
  field,
  detail: `security level ${level} (rule ${rule}): ${what}`,
});

/**
 * Why a workload spec breaks the cluster's level, or undefined. `allowed` names the allow
 * policies that were true for this change: they admit a network other than none at MilitaryGrade
 * (the one rule a policy may lift; the exception is then a PolicyDecision in the ledger).
 */
export function workloadViolation(spec: WorkloadSpec, level: SecurityLevel, allowed: readonly string[] = []): LevelViolation | undefined {
  if (rank(level) >= rank("enterprise")) {
    if (spec.ports.length > 0 && !spec.wallet_authentication) return v("enterprise", "gateway-wallet-auth", "wallet_authentication", `workload ${spec.name} serves ports through the gateway without wallet authentication`);
    const waived = level === "military_grade" && allowed.length > 0;
    if (spec.cage.network === "host" && !waived) {
      return level === "military_grade"
        ? v("military_grade", "network-none", "cage.network", `workload ${spec.name} asks for network "host"; only "none" unless an allow policy admits it`)
        : v("enterprise", "no-host-network", "cage.network", `workload ${spec.name} asks for network "host"`);
    }
  }
  if (level === "military_grade") {
    if (!spec.cage.determinism) return v("military_grade", "determinism-cage", "cage.determinism", `workload ${spec.name} does not run in the determinism cage`);
  }
  return undefined;
}

/** Why a cluster config cannot hold its level (the witness and quantum-safe rules), or undefined. */
export function configViolation(config: Pick<ClusterConfig, "security_level" | "witnesses" | "quantum_safe">): LevelViolation | undefined {
  const level = config.security_level;
  if (rank(level) >= rank("enterprise") && config.witnesses.length === 0) {
    const rule = level === "military_grade" ? "min-one-witness" : "audit-witnessed";
    return v(level, rule, "witnesses", "the audit log must be witnessed: config.witnesses names no witness");
  }
  if (level === "military_grade" && !config.quantum_safe) return v(level, "quantum-safe", "quantum_safe", "ML-DSA co-signatures are required: config.quantum_safe must be on");
  return undefined;
}

/** The config at a level: MilitaryGrade forces quantum_safe on. */
export function withLevel<C extends Pick<ClusterConfig, "security_level" | "quantum_safe">>(config: C, level: SecurityLevel): C {
  return { ...config, security_level: level, quantum_safe: level === "military_grade" ? true : config.quantum_safe };
}

/** Approvals (distinct, never the author) a promotion into a production stage needs at Enterprise and above. */
export const PRODUCTION_APPROVALS = 2;

/** A production stage: named production or prod, or marked `production: true`. */
export const isProductionStage = (s: { name: string; production?: boolean }): boolean => s.production === true || s.name === "production" || s.name === "prod";

/**
 * Why a pipeline's promotions into `stage` break the level of the cluster the stage lives in (the
 * higher of the pipeline's and the stage's), or undefined: dual-control-production, whatever the
 * pipeline says, so neither fewer approvals nor no manual gate at all.
 */
export function promotionViolation(level: SecurityLevel, stage: { name: string; production?: boolean }, approvals: number): LevelViolation | undefined {
  if (rank(level) < rank("enterprise") || !isProductionStage(stage) || approvals >= PRODUCTION_APPROVALS) return undefined;
  return v(level, "dual-control-production", "gates.approvals.count", `promotions into production stage ${stage.name} need at least ${PRODUCTION_APPROVALS} approvers other than the author; the pipeline asks for ${approvals}`);
}
