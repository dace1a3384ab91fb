import { z } from "@hono/zod-openapi";

export const ClusterName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "cluster names are 2-63 characters of a-z, 0-9 and '-', starting with a letter or digit")
  .openapi({ example: "demo" });

export const AppName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "app and workload names are 1-63 characters of a-z, 0-9 and '-'")
  .openapi({ example: "hello" });

export const Address = z
  .string()
  .regex(/^bpi1[02-9ac-hj-np-z]{58}$/, "a bech32m bpi1… address of 62 characters")
  .openapi({ example: "bpi132yw8ht5p8cetl2jmvknewjawt9xwzdlrk2pyxlnwjyqrdq0dawq22zv0m" });

export const HashText = z.string().regex(/^blake3:[0-9a-f]{64}$/, "blake3:<64 lowercase hex>");

export const Role = z.enum(["owner", "admin", "operator", "viewer", "node"]);
export type Role = z.infer<typeof Role>;
export const GrantableRole = z.enum(["admin", "operator", "viewer"]);

export const ClusterParam = z.object({
  cluster: ClusterName.openapi({ param: { name: "cluster", in: "path" } }),
});

export const ClusterAppParam = ClusterParam.extend({
  app: AppName.openapi({ param: { name: "app", in: "path" } }),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    field: z.string().optional(),
  })
  .openapi("Problem");

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
