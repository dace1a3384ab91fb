import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { clusterRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { listAudit } from "../../domain/ledger/queries.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { AuditEntrySchema } from "../../protocol/schemas.ts";
import { ChainHeadSchema } from "../../protocol/head.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { ComplianceReport, Framework } from "../../protocol/api/compliance.ts";
import { isoTime } from "../../protocol/schemas.ts";

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
    // Read barrier: a deploy answers before its entries reach D1 (ClusterDO AUDIT_FLUSH_DELAY_MS).
    await clusterStub(c.env, cluster).flushLedger();
    return c.json({ entries: await listAudit(c.env.LEDGER, cluster, from_seq, limit) }, 200);
  },
);

audit.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/audit/head",
    summary: "The audit chain's head (last seq and entry hash), signed by the control-plane key; a verifier's history must reach it (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(ChainHeadSchema, "Signed head") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).auditHead(c.get("actor"))), 200);
  },
);

audit.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/audit/report",
    summary: "Compliance evidence for SOC2, HIPAA or PCI-DSS computed from the audit chain, signed by the control-plane key; evidence for an auditor, not a verdict (viewer)",
    request: {
      params: ClusterParam,
      query: z.object({ framework: Framework, from: isoTime.optional(), to: isoTime.optional() }),
    },
    responses: { 200: json(ComplianceReport, "Signed report") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { framework, from, to } = c.req.valid("query");
    return c.json(await unwrap(clusterStub(c.env, cluster).complianceReport(c.get("actor"), framework, from, to)), 200);
  },
);
