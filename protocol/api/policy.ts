// Cluster policies (CEL) and their decisions. A policy's hash is BLAKE3 of the JCS of its
// PolicyBody fields, so an audit entry's `policy_hash` names exactly the rule that decided.
import { z } from "zod";
import { HashText } from "./common.ts";

export const PolicyName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "policy names are 1-63 characters of a-z, 0-9 and '-'");

/**
 * What a policy does when its expression is true: deny refuses the change, warn lets it through
 * with a warning, audit only records, allow waives a security-level rule that a policy may
 * lift (MilitaryGrade's network `none`).
 */
export const PolicyAction = z.enum(["deny", "warn", "audit", "allow"]);
export type PolicyAction = z.infer<typeof PolicyAction>;

/** The changes a policy is evaluated on. */
export const PolicyMatch = z.enum(["deploy", "update", "scale", "exec", "agreement", "role"]);
export type PolicyMatch = z.infer<typeof PolicyMatch>;

/** A decision: the policy's action when its expression was true, `pass` when false, `error` when it could not be evaluated (a deny policy then denies). */
export const PolicyResult = z.enum(["deny", "warn", "audit", "allow", "pass", "error"]);
export type PolicyResult = z.infer<typeof PolicyResult>;

export const PolicyBody = z
  .object({
    name: PolicyName,
    expr: z.string().min(1).max(4096),
    action: PolicyAction,
    message: z.string().min(1).max(1000),
    /** default: deploy and update (the workload changes) */
    match: z.array(PolicyMatch).min(1).max(6).default(["deploy", "update"]),
  })
  .strict()
  .meta({ id: "PolicyBody" });
export type PolicyBody = z.infer<typeof PolicyBody>;

export const Policy = PolicyBody.extend({
  hash: HashText,
  created_by: z.string(),
  created_at: z.string(),
}).meta({ id: "Policy" });
export type Policy = z.infer<typeof Policy>;

/** What a policy sees: Kubernetes ValidatingAdmissionPolicy's names. */
export const PolicyInput = z
  .object({
    request: z.record(z.string(), z.unknown()).optional(),
    object: z.unknown().optional(),
    oldObject: z.unknown().optional(),
    cluster: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .meta({ id: "PolicyInput" });
export type PolicyInput = z.infer<typeof PolicyInput>;

export const PolicyTestBody = z.object({ input: PolicyInput }).strict().meta({ id: "PolicyTestBody" });

/** One policy's decision on one input (the `details` of a PolicyDecision audit entry). */
export const PolicyDecision = z
  .object({
    policy: PolicyName,
    policy_hash: HashText,
    input_hash: HashText,
    /** the change: deploy, update, scale, exec, agreement, role */
    action: PolicyMatch,
    result: PolicyResult,
    message: z.string().optional(),
    error: z.string().optional(),
    /** the expression's value when it was not a bool is an error; this is its cost estimate */
    cost: z.number(),
  })
  .meta({ id: "PolicyDecision" });
export type PolicyDecision = z.infer<typeof PolicyDecision>;

export const PolicyTestResult = PolicyDecision.extend({ value: z.unknown().optional(), input: PolicyInput }).meta({ id: "PolicyTestResult" });
export type PolicyTestResult = z.infer<typeof PolicyTestResult>;
