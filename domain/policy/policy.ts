// Evaluating a cluster's policies on one change. Pure: the ClusterDO supplies the policies and
// the input and records the decisions (PolicyDecision audit entries) with or instead of the change.
import { hashCanonical } from "../../protocol/hash.ts";
import type { Policy, PolicyBody, PolicyDecision, PolicyInput, PolicyMatch } from "../../protocol/api/policy.ts";
import { CelCompileError, compileCel, evaluateCel, type CompiledExpr } from "./cel.ts";
import { reject } from "../result.ts";

/** BLAKE3 of the JCS of the policy's own fields: what an audit entry's `policy_hash` names. */
export function policyHash(p: PolicyBody): string {
  return hashCanonical({ name: p.name, expr: p.expr, action: p.action, message: p.message, match: p.match });
}

/** Compiles at add time: a bad expression is a 422 naming `expr`, with CEL's own words. */
export function compilePolicy(p: PolicyBody): CompiledExpr {
  try {
    return compileCel(p.expr);
  } catch (e) {
    if (e instanceof CelCompileError) reject(422, `expr: ${e.message}`, { field: "expr" });
    throw e;
  }
}

/** Compiled expressions by policy hash: a DO evaluates the same few policies over and over. */
const compiled = new Map<string, CompiledExpr>();
function compiledFor(p: Policy): CompiledExpr {
  let c = compiled.get(p.hash);
  if (!c) {
    c = compileCel(p.expr);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(p.hash, c);
  }
  return c;
}

export interface PolicyOutcome {
  /** one per policy that matched the change's kind */
  decisions: PolicyDecision[];
  /** the first deny, if any: the change is refused with its message */
  denied?: PolicyDecision;
  /** "policy NAME: message" of each warn */
  warnings: string[];
  /** names of allow policies whose expression was true (they lift waivable level rules) */
  allowed: string[];
}

/** One policy on one input: its action when the expression is true, `pass` when false. */
export function decide(p: Policy, input: PolicyInput, action: PolicyMatch, inputHash = hashCanonical(input)): PolicyDecision & { value?: unknown } {
  const base = { policy: p.name, policy_hash: p.hash, input_hash: inputHash, action };
  let ev;
  try {
    ev = evaluateCel(compiledFor(p), input as Record<string, unknown>);
  } catch (e) {
    ev = { ok: false as const, error: (e as Error).message, cost: 0 };
  }
  if (ev.ok && typeof ev.value !== "boolean") ev = { ok: false as const, error: `the expression gave ${JSON.stringify(ev.value)?.slice(0, 100)}, not a bool`, cost: ev.cost };
  if (!ev.ok) {
    // A deny policy that cannot be evaluated fails closed, as Kubernetes' failurePolicy: Fail.
    const result = p.action === "deny" ? "deny" : "error";
    return { ...base, result, message: p.message, error: ev.error, cost: ev.cost };
  }
  if (ev.value === true) return { ...base, result: p.action, message: p.message, cost: ev.cost, value: true };
  return { ...base, result: "pass", cost: ev.cost, value: false };
}

/** Every policy whose `match` names the change, in name order. */
export function evaluatePolicies(policies: Policy[], input: PolicyInput, action: PolicyMatch): PolicyOutcome {
  const out: PolicyOutcome = { decisions: [], warnings: [], allowed: [] };
  const matching = policies.filter((p) => p.match.includes(action));
  if (matching.length === 0) return out;
  const inputHash = hashCanonical(input);
  for (const p of matching) {
    const { value: _v, ...d } = decide(p, input, action, inputHash);
    out.decisions.push(d);
    if (d.result === "deny") out.denied ??= d;
    if (d.result === "warn") out.warnings.push(`policy ${p.name}: ${p.message}`);
    if (d.result === "allow") out.allowed.push(p.name);
  }
  return out;
}
