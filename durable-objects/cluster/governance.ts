// What the ClusterDO hands to policies and security levels for one change, kept out of the DO
// class: the policy input document and the audit details of a refusal.
import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import type { Role } from "../../protocol/api/common.ts";
import type { PolicyInput, PolicyMatch } from "../../protocol/api/policy.ts";
import type { LevelViolation } from "../../domain/policy/security-level.ts";

/**
 * The input a policy sees: `request` (actor, roles, action), `object` and `oldObject` (the change's
 * subject after and before, as the API compiled it, null when there is none) and `cluster` (name,
 * owner, security level, config). Plain JSON, so its hash is well defined.
 */
export function policyInput(
  cluster: { name: string; owner: string; config: ClusterConfig },
  actor: string,
  role: Role | undefined,
  action: PolicyMatch,
  object: unknown,
  oldObject: unknown,
): PolicyInput {
  return JSON.parse(
    JSON.stringify({
      request: { actor, roles: role ? [role] : [], action },
      object: object ?? null,
      oldObject: oldObject ?? null,
      cluster: { name: cluster.name, owner: cluster.owner, security_level: cluster.config.security_level, config: cluster.config },
    }),
  ) as PolicyInput;
}

/** The details of a SecurityViolation entry for a refused change. */
export function violationDetails(v: LevelViolation, change: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { level: v.level, rule: v.rule, field: v.field, change, reason: v.detail, ...extra };
}
