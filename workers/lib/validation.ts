import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { problem, problemResponse } from "../../domain/problem.ts";

type Issue = { path: PropertyKey[]; message: string; code?: string; keys?: string[] };

/** Unknown keys are named themselves, not their parent object. */
const issuePath = (i: Issue): PropertyKey[] => (i.code === "unrecognized_keys" && i.keys?.length ? [...i.path, i.keys[0]] : i.path);

/** `receipts[3].prev_hash` from a zod path. */
export function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

/** Every schema failure becomes one RFC 9457 problem naming the first bad field (all in `errors`). */
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  const issues = (result.error as { issues: Issue[] }).issues;
  const first = issues[0];
  const field = fieldPath(first ? issuePath(first) : []) || (result.target === "json" ? "body" : result.target);
  const status = result.target === "json" ? 422 : 400;
  return problemResponse(
    problem(status, `${field}: ${first?.message ?? "invalid"}`, {
      field,
      errors: issues.map((i) => ({ field: fieldPath(issuePath(i)), message: i.message })),
    }),
  );
};
