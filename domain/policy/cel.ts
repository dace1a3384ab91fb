// CEL for cluster policies, on @bufbuild/cel: a tree-walking evaluator that needs no `eval` (it
// runs in workerd, in the ClusterDO) and whose `matches()` is an RE2-style matcher, so no regex
// can backtrack for seconds. Chosen over @marcbachmann/cel-js after measuring both: more of the
// cel-spec conformance suite passes (test/unit/policy/cel-conformance.test.ts), and cel-js spent
// 20 s on `matches("^(a+)+$")`.
import { celEnv, isCelError, isCelList, isCelMap, isCelUint, parse, plan, type CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/** The variables a policy sees (Kubernetes ValidatingAdmissionPolicy names). */
export const POLICY_VARIABLES = ["request", "object", "oldObject", "cluster"] as const;

/** Bounds that keep one evaluation cheap whatever the policy author wrote. */
export const CEL_LIMITS = {
  /** characters of an expression */
  exprChars: 4096,
  /** nodes of its syntax tree */
  nodes: 400,
  /** macros (exists, all, map, filter, exists_one) inside macros */
  comprehensionDepth: 2,
  /** estimated cost: nodes x (largest collection + 1) ^ comprehension depth */
  cost: 2_000_000,
};

const env = celEnv({ funcs: strings });

type Expr = { id: bigint; exprKind: { case: string | undefined; value: any } };

export interface CompiledExpr {
  source: string;
  nodes: number;
  depth: number;
  run: (vars: Record<string, unknown>) => unknown;
}

/** A compile error, in CEL's words (the policy's `expr` field). */
export class CelCompileError extends Error {}

/**
 * Parses and checks an expression: syntax, the variables it names (only the four inputs and the
 * macros' own), the functions it calls (all must exist), and its size. Input documents are JSON,
 * so their types are dynamic: what remains to go wrong (a missing key, a wrong type) is an
 * evaluation error, handled by the policy's failure mode.
 */
export function compileCel(source: string): CompiledExpr {
  if (source.length > CEL_LIMITS.exprChars) throw new CelCompileError(`the expression is longer than ${CEL_LIMITS.exprChars} characters`);
  let parsed;
  try {
    parsed = parse(source);
  } catch (e) {
    throw new CelCompileError((e as Error).message);
  }
  const stats = { nodes: 0, depth: 0 };
  walk(parsed.expr as unknown as Expr, new Set(), 0, stats);
  if (stats.nodes > CEL_LIMITS.nodes) throw new CelCompileError(`the expression has ${stats.nodes} nodes; at most ${CEL_LIMITS.nodes}`);
  if (stats.depth > CEL_LIMITS.comprehensionDepth) throw new CelCompileError(`macros nest ${stats.depth} deep; at most ${CEL_LIMITS.comprehensionDepth}`);
  const fn = plan(env, parsed);
  return { source, nodes: stats.nodes, depth: stats.depth, run: (vars) => fn(vars as never) };
}

function walk(e: Expr | undefined, bound: Set<string>, depth: number, stats: { nodes: number; depth: number }): void {
  if (!e) return;
  stats.nodes++;
  const k = e.exprKind;
  switch (k.case) {
    case "identExpr":
      if (!bound.has(k.value.name) && !(POLICY_VARIABLES as readonly string[]).includes(k.value.name) && !BUILTIN_IDENTS.has(k.value.name)) {
        throw new CelCompileError(`undeclared reference to '${k.value.name}' (a policy sees ${POLICY_VARIABLES.join(", ")})`);
      }
      return;
    case "selectExpr":
      return walk(k.value.operand, bound, depth, stats);
    case "callExpr":
      // Operators (`_&&_`, `_[_]`, `@in`…) come from the parser, not the author: only named calls are checked.
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k.value.function) && !env.funcs.find(k.value.function)) throw new CelCompileError(`undeclared reference to function '${k.value.function}'`);
      walk(k.value.target, bound, depth, stats);
      for (const a of k.value.args) walk(a, bound, depth, stats);
      return;
    case "listExpr":
      for (const x of k.value.elements) walk(x, bound, depth, stats);
      return;
    case "structExpr":
      for (const en of k.value.entries) {
        if (en.keyKind.case === "mapKey") walk(en.keyKind.value, bound, depth, stats);
        walk(en.value, bound, depth, stats);
      }
      return;
    case "comprehensionExpr": {
      const c = k.value;
      stats.depth = Math.max(stats.depth, depth + 1);
      walk(c.iterRange, bound, depth, stats);
      walk(c.accuInit, bound, depth, stats);
      const inner = new Set([...bound, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
      walk(c.loopCondition, inner, depth + 1, stats);
      walk(c.loopStep, inner, depth + 1, stats);
      walk(c.result, inner, depth, stats);
      return;
    }
    default:
      return; // constants
  }
}

/** Type names usable as values (`type(x) == string`) and the null literal's kin. */
const BUILTIN_IDENTS = new Set(["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn"]);

/**
 * JSON to CEL: integers become CEL `int` (as Kubernetes does, so `object.replicas + 1` works),
 * other numbers `double`. Returns the largest collection (or string) length seen, for the cost.
 */
export function toCelInput(value: unknown, sizes = { max: 0 }): unknown {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === "string") {
    sizes.max = Math.max(sizes.max, value.length);
    return value;
  }
  if (Array.isArray(value)) {
    sizes.max = Math.max(sizes.max, value.length);
    return value.map((v) => toCelInput(v, sizes));
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    sizes.max = Math.max(sizes.max, entries.length);
    return new Map(entries.map(([k, v]) => [k, toCelInput(v, sizes)]));
  }
  return value ?? null;
}

/** CEL back to JSON, for answers (`enc policy test`) and audit details. */
export function fromCel(v: CelValue | unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (isCelUint(v as CelValue)) return Number((v as { value: bigint }).value);
  if (isCelList(v as CelValue)) return Array.from(v as Iterable<CelValue>).map(fromCel);
  if (isCelMap(v as CelValue)) return Object.fromEntries(Array.from((v as Map<unknown, CelValue>).entries()).map(([k, x]) => [String(k), fromCel(x)]));
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
}

export type Evaluation = { ok: true; value: unknown; cost: number } | { ok: false; error: string; cost: number };

/**
 * Evaluates within the cost limit: the estimate (nodes x (largest collection + 1) ^ macro depth)
 * bounds what the tree walk can do, and is checked before evaluating, so an over-budget policy
 * never runs. Never throws.
 */
export function evaluateCel(expr: CompiledExpr, vars: Record<string, unknown>): Evaluation {
  const sizes = { max: 0 };
  const input = Object.fromEntries(POLICY_VARIABLES.map((k) => [k, toCelInput(vars[k] ?? null, sizes)]));
  const cost = expr.nodes * Math.pow(sizes.max + 1, expr.depth);
  if (cost > CEL_LIMITS.cost) return { ok: false, error: `estimated cost ${cost} is over the limit ${CEL_LIMITS.cost}`, cost };
  try {
    const out = expr.run(input);
    if (isCelError(out as CelValue)) return { ok: false, error: (out as Error).message, cost };
    return { ok: true, value: fromCel(out), cost };
  } catch (e) {
    return { ok: false, error: (e as Error).message, cost };
  }
}
