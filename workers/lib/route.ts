import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { signature } from "../middleware/signature.ts";
import { requireRole } from "../middleware/require-role.ts";
import type { Role } from "../../protocol/api/common.ts";
import { problemResponses } from "./openapi.ts";

type Config = Omit<RouteConfig, "responses" | "middleware"> & { responses: RouteConfig["responses"] };

/** A route that requires an RFC 9421 signature; its docs list the auth problems. */
export const signedRoute = <C extends Config>(config: C) =>
  createRoute({
    ...config,
    security: [{ httpSignature: [] }],
    middleware: [signature()] as const,
    responses: { ...problemResponses, ...config.responses },
  });

/** A signed route on the `{cluster}` of its path that needs `role` there (see requireRole). */
export const clusterRoute = <C extends Config>(role: Role, config: C) =>
  createRoute({
    ...config,
    security: [{ httpSignature: [] }],
    middleware: [signature(), requireRole(role, { params: config.request?.params, query: config.request?.query })] as const,
    responses: { ...problemResponses, ...config.responses },
  });

/** A public route (no signature). */
export const publicRoute = <C extends Config>(config: C) =>
  createRoute({ ...config, responses: { 400: problemResponses[400], ...config.responses } });
