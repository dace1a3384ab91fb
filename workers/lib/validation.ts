import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { problem, problemResponse } from "./problem.ts";

type Issue = { path: PropertyKey[]; message: string };

/** `receipts[3].prev_hash` from a zod path. */
export function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

/** Every schema failure becomes one RFC 9457 problem naming the first bad field (all in `errors`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, AppEnv, any, any> = (result, c) => {
  if (result.success) return;
  const issues = (result.error as { issues: Issue[] }).issues;
  const first = issues[0];
  const field = fieldPath(first?.path ?? []) || result.target;
  const status = result.target === "json" && field !== "json" ? 422 : 400;
  return problemResponse(
    problem(status, `${field}: ${first?.message ?? "invalid"}`, {
      field,
      errors: issues.map((i) => ({ field: fieldPath(i.path), message: i.message })),
    }),
  );
};
