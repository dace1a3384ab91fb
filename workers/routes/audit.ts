import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { clusterRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { listAudit } from "../../domain/ledger/queries.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { AuditEntrySchema } from "../../protocol/schemas.ts";

export const audit = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Entry = AuditEntrySchema;

audit.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/audit",
    summary: "Audit entries in seq order (viewer)",
    request: {
      params: ClusterParam,
      query: z.object({
        from_seq: z.coerce.number().int().min(1).default(1),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    },
    responses: { 200: json(z.object({ entries: z.array(Entry) }), "Entries") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { from_seq, limit } = c.req.valid("query");
    return c.json({ entries: await listAudit(c.env.LEDGER, cluster, from_seq, limit) }, 200);
  },
);
