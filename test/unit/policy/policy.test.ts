import { describe, expect, it } from "vitest";
import { CEL_LIMITS, compileCel, evaluateCel } from "../../../domain/policy/cel.ts";
import { evaluatePolicies, policyHash } from "../../../domain/policy/policy.ts";
import type { Policy, PolicyBody } from "../../../protocol/api/policy.ts";
import { hashCanonical } from "../../../protocol/hash.ts";

const policy = (b: Omit<PolicyBody, "match"> & { match?: PolicyBody["match"] }): Policy => {
  const body = { match: ["deploy", "update"] as PolicyBody["match"], ...b };
  return { ...body, hash: policyHash(body), created_by: "x", created_at: "2026-01-01T00:00:00.000Z" };
};

describe("CEL evaluation bounds", () => {
  it("an evaluation whose estimated cost is over the limit is not run: an error, so a deny denies", () => {
    const expr = compileCel("object.items.all(a, object.items.all(b, a != b || a == b))");
    expect(expr.depth).toBe(2);
    const small = evaluateCel(expr, { object: { items: Array.from({ length: 10 }, (_, i) => i) } });
    expect(small).toMatchObject({ ok: true, value: true });
    const big = Array.from({ length: 5_000 }, (_, i) => i);
    const t0 = Date.now();
    const over = evaluateCel(expr, { object: { items: big } });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(over).toMatchObject({ ok: false, error: expect.stringMatching(/^estimated cost \d+ is over the limit 2000000$/) });
    expect(over.cost).toBeGreaterThan(CEL_LIMITS.cost);
    const out = evaluatePolicies([policy({ name: "pairs", expr: expr.source, action: "deny", message: "m" })], { object: { items: big } }, "deploy");
    expect(out.denied).toMatchObject({ policy: "pairs", result: "deny", error: expect.stringContaining("over the limit") });
  });

  it("refuses oversized expressions and deep macros at compile time; RE2 regexes do not backtrack", () => {
    expect(() => compileCel("1 + ".repeat(1100) + "1")).toThrow(/longer than 4096|nodes/);
    expect(() => compileCel(Array.from({ length: 300 }, () => "true").join(" && "))).toThrow(/nodes; at most 400/);
    const t0 = Date.now();
    expect(evaluateCel(compileCel(`'${"a".repeat(3000)}!'.matches('^(a+)+$')`), {})).toMatchObject({ ok: true, value: false });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("decisions name the policy and input hashes; a policy that does not match the change is not evaluated", () => {
    const p = policy({ name: "n", expr: "object.replicas + 1 > 3", action: "warn", message: "big", match: ["scale"] });
    const input = { object: { replicas: 3 } };
    expect(evaluatePolicies([p], input, "deploy").decisions).toEqual([]);
    const out = evaluatePolicies([p], input, "scale");
    expect(out.decisions).toEqual([{ policy: "n", policy_hash: p.hash, input_hash: hashCanonical(input), action: "scale", result: "warn", message: "big", cost: expect.any(Number) }]);
    expect(out.warnings).toEqual(["policy n: big"]);
  });
});
