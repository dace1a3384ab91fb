import type { z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import type { Role } from "../../protocol/api/common.ts";
import type { Context } from "hono";
import type { AppEnv, AppVariables } from "../env.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";

export type ClusterRoleEnv = { Bindings: Env; Variables: AppVariables & { clusterConfig: ClusterConfig } };

/** The route's own query and path schemas, checked first (in the validators' order) so bad input keeps its 400. */
export interface RoleInputs {
  query?: z.ZodType;
  params?: z.ZodType;
}

/**
 * Declares that a route needs `role` in the cluster named by its `{cluster}` path parameter, and
 * puts that cluster's config in `c.var.clusterConfig`. For actions served outside the ClusterDO
 * (notary, ledger reads): one `authorize` RPC, as the inline checks made. Actions that change the
 * ClusterDO do not use it: there the DO checks the role in the transaction that makes the change,
 * so a role revoked in between can never slip through (and no second round trip is paid).
 */
export const requireRole = (role: Role, inputs: RoleInputs = {}) =>
  createMiddleware<ClusterRoleEnv>(async function requireRole(c, next) {
    // Route middleware runs before the route's validators; answer malformed input as they would.
    const checks = [["query", inputs.query, c.req.query()], ["param", inputs.params, c.req.param()]] as const;
    for (const [target, schema, value] of checks) {
      const parsed = schema?.safeParse(value);
      if (parsed && !parsed.success) return validationHook({ success: false, error: parsed.error, target }, c as unknown as Context<AppEnv>) as Response;
    }
    const cluster = c.req.param("cluster");
    if (!cluster) throw new Error("requireRole is for routes with a {cluster} path parameter");
    c.set("clusterConfig", (await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), role))).config);
    await next();
  });
