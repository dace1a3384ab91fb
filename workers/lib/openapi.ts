// OpenAPI-only pieces of the route definitions: path parameters and the documented problem
// answers. The bodies themselves are the protocol's (protocol/api).
import { z } from "@hono/zod-openapi";
import { AppName, ClusterName, ProblemSchema } from "../../protocol/api/common.ts";

export const ClusterParam = z.object({
  cluster: ClusterName.openapi({ param: { name: "cluster", in: "path" } }),
});

export const ClusterAppParam = ClusterParam.extend({
  app: AppName.openapi({ param: { name: "app", in: "path" } }),
});

/** The error responses every signed route can give. */
export const problemResponses = {
  400: { description: "Invalid input; `field` names it", content: { "application/problem+json": { schema: ProblemSchema } } },
  401: { description: "Missing or invalid request signature", content: { "application/problem+json": { schema: ProblemSchema } } },
  403: { description: "The signer lacks the role", content: { "application/problem+json": { schema: ProblemSchema } } },
  404: { description: "Not found", content: { "application/problem+json": { schema: ProblemSchema } } },
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
