// Agreements: the declarative front door. The body is the document itself (application/yaml, or
// JSON), compiled here by domain/agreements (one implementation for apply, diff and validate);
// the ClusterDO stores versions and applies them as rolling updates. A malformed document is a
// 422 problem naming its line and column, and nothing changes.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { compileBody } from "../../domain/agreements/compile.ts";
import type { FieldIssue, RegistryBinding } from "../../domain/agreements/types.ts";
import { HostName } from "../../domain/registry/schemas.ts";
import { Address, AppName } from "../../protocol/api/common.ts";
import {
  AgreementApplyResponse,
  AgreementApplyResult,
  AgreementRollbackBody,
  AgreementSummary,
  AgreementType,
  AgreementValidation,
  AgreementVersion,
  AgreementView,
} from "../../protocol/api/agreement.ts";
import { resolverCache } from "./resolver-config.ts";
import { hostTag } from "./resolver-service.ts";
import type { ApplyOutcome } from "../../durable-objects/cluster/agreements.ts";

export const agreements = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const NameParam = ClusterParam.extend({ name: AppName.openapi({ param: { name: "name", in: "path" } }) });
const Flag = z.enum(["true", "false"]).optional();
const DocQuery = z.object({
  type: AgreementType.optional().openapi({ description: "the document's format; detected when absent" }),
  name: AppName.optional().openapi({ description: "the agreement's name for formats without one (Compose without `name:`)" }),
  target_nodes: z.string().max(4096).optional().openapi({ description: "comma-separated node addresses (bpi1…): every workload of the agreement is placed on these nodes only" }),
});
const ApplyQuery = DocQuery.extend({ dry_run: Flag, prune: Flag });
const ValidateQuery = DocQuery.extend({ security_check: Flag, resource_check: Flag });

/** The document media types; JSON is read by the same parser (a YAML subset) for line/column errors. */
const MEDIA = ["application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain"];
const docBody = {
  description: "One or more agreement documents (multi-document YAML) in their own media type, or JSON",
  required: true,
  content: { "application/yaml": { schema: z.string() }, "text/yaml": { schema: z.string() } },
};

const registryStub = (env: Env, host: string) => env.REGISTRY.get(env.REGISTRY.idFromName(`httpcg:${host}`));

/** 422 with every issue; the first names the problem's field, line and column. */
function refuse(issues: readonly FieldIssue[]): never {
  const first = issues[0];
  const where = first.line !== undefined ? ` (line ${first.line}, column ${first.column})` : "";
  const doc = first.document !== undefined && issues.some((i) => i.document !== first.document || (i.document ?? 0) > 0) ? `document ${first.document + 1}: ` : "";
  fail(422, `${doc}${first.path ? `${first.path}: ` : ""}${first.message}${where}`, {
    field: first.path || "body",
    ...(first.line !== undefined ? { line: first.line, column: first.column } : {}),
    errors: issues.map((i) => ({ field: i.path || "body", message: i.message, ...(i.line !== undefined ? { line: i.line, column: i.column } : {}), ...(i.document !== undefined ? { document: i.document } : {}) })),
  });
}

/** `?target_nodes=A,B`: node addresses, each checked (whether the cluster has them is the DO's check). */
function parseTargetNodes(q: string | undefined): string[] | undefined {
  if (q === undefined) return undefined;
  const nodes = [...new Set(q.split(",").map((s) => s.trim()).filter(Boolean))];
  if (nodes.length === 0) fail(422, "target_nodes: name at least one node address", { field: "target_nodes" });
  if (nodes.length > 64) fail(422, "target_nodes: at most 64 nodes", { field: "target_nodes" });
  for (const n of nodes) if (!Address.safeParse(n).success) fail(422, `target_nodes: ${n} is not a node address (bpi1…)`, { field: "target_nodes" });
  return nodes.sort();
}

/** Reads and compiles the body against the cluster's settings (checking the operator role first). */
async function compileRequest(c: Context<AppEnv>, cluster: string, q: z.infer<typeof DocQuery>) {
  const { config } = await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "operator"));
  const targetNodes = parseTargetNodes(q.target_nodes);
  const media = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (!MEDIA.includes(media)) fail(415, `an agreement is sent as application/yaml or application/json, not ${media || "no content type"}`, { field: "content-type" });
  // decoded by hand: workerd warns on .text() of a type it does not know as text
  const text = new TextDecoder().decode(await c.req.arrayBuffer());
  const r = compileBody(text, { cluster, ...(q.name ? { name: q.name } : {}), ...(targetNodes ? { targetNodes } : {}), config }, q.type);
  if (!r.ok) refuse(r.issues);
  for (const u of r.units)
    for (const [i, b] of (u.agreement.registry ?? []).entries()) {
      if (!HostName.safeParse(b.host).success) fail(422, `registry.${i}.host: ${b.host} is not a host name the registry accepts`, { field: "spec.network.ingress.host" });
    }
  return r.units;
}

/** Points each binding's host at the workload's gateway (the actor must own the host, or it is new). */
async function register(c: Context<AppEnv>, cluster: string, bindings: readonly RegistryBinding[]): Promise<string[]> {
  const done: string[] = [];
  for (const b of bindings) {
    await unwrap(registryStub(c.env, b.host).setHost(c.get("actor"), b.host, { gateway: { cluster, workload: b.workload }, wallet_binding: null, ttl_s: 300 }));
    resolverCache(c.env).invalidateTag(hostTag(b.host));
    done.push(b.host);
  }
  return done;
}

const publicResult = ({ registry: _r, ...rest }: AgreementApplyResult & { registry?: unknown }) => rest;

agreements.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/agreements",
    summary: "Apply agreement documents (operator): create or update each, idempotent by content hash; dry_run changes nothing; prune removes workloads an agreement no longer names",
    request: { params: ClusterParam, query: ApplyQuery, body: docBody },
    responses: { 200: json(AgreementApplyResponse, "Applied (or what would be)"), 409: { description: "A workload of that name exists outside the agreement" }, 415: { description: "Not YAML or JSON" }, 422: { description: "Malformed or unsupported: `field`, `line`, `column` name it" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const q = c.req.valid("query");
    const units = await compileRequest(c, cluster, q);
    const dryRun = q.dry_run === "true";
    // the RPC type of unknown-valued fields (a change's from/to) collapses; the DO returns ApplyOutcome
    const outcomes = (await unwrap(clusterStub(c.env, cluster).applyAgreements(c.get("actor"), units, { dryRun, prune: q.prune === "true" }))) as ApplyOutcome[];
    const results = [];
    for (const o of outcomes) {
      const registered = !dryRun && o.action !== "unchanged" && o.registry.length ? await register(c, cluster, o.registry) : [];
      results.push({ ...publicResult(o), ...(registered.length ? { registered } : {}) });
    }
    return c.json({ results }, 200);
  },
);

agreements.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/agreements/diff",
    summary: "What applying the documents would change, field by field (operator); changes nothing",
    request: { params: ClusterParam, query: ApplyQuery.omit({ dry_run: true }), body: docBody },
    responses: { 200: json(AgreementApplyResponse, "The difference"), 422: { description: "Malformed or unsupported" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const q = c.req.valid("query");
    const units = await compileRequest(c, cluster, q);
    const outcomes = (await unwrap(clusterStub(c.env, cluster).applyAgreements(c.get("actor"), units, { dryRun: true, prune: q.prune === "true" }))) as ApplyOutcome[];
    return c.json({ results: outcomes.map(publicResult) }, 200);
  },
);

agreements.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/agreements/validate",
    summary: "Validate documents (operator): schema and ownership, and on request security (cage policy, security level) and resources (node capacity); changes nothing",
    request: { params: ClusterParam, query: ValidateQuery, body: docBody },
    responses: { 200: json(AgreementValidation, "The checks; `valid` is false when any failed"), 422: { description: "Malformed or unsupported" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const q = c.req.valid("query");
    const units = await compileRequest(c, cluster, q);
    const opts = { security: q.security_check === "true", resources: q.resource_check === "true" };
    return c.json(await unwrap(clusterStub(c.env, cluster).validateAgreements(c.get("actor"), units, opts)), 200);
  },
);

agreements.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/agreements",
    summary: "List agreements (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ agreements: z.array(AgreementSummary) }), "Agreements") },
  }),
  async (c) => c.json({ agreements: await unwrap(clusterStub(c.env, c.req.valid("param").cluster).listAgreements(c.get("actor"))) }, 200),
);

agreements.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/agreements/{name}",
    summary: "An agreement: its current version's documents and what they compiled to (viewer)",
    request: { params: NameParam },
    responses: { 200: json(AgreementView, "Agreement") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).getAgreement(c.get("actor"), name)), 200);
  },
);

agreements.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/agreements/{name}/versions",
    summary: "An agreement's versions: hash, author, time (viewer)",
    request: { params: NameParam },
    responses: { 200: json(z.object({ versions: z.array(AgreementVersion) }), "Versions") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json({ versions: await unwrap(clusterStub(c.env, cluster).agreementHistory(c.get("actor"), name)) }, 200);
  },
);

agreements.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/agreements/{name}/rollback",
    summary: "Re-apply an earlier version (operator): previous, a number or a hash",
    request: { params: NameParam, body: { content: { "application/json": { schema: AgreementRollbackBody } }, required: true } },
    responses: { 200: json(AgreementApplyResult, "Rolled back") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const { version } = c.req.valid("json");
    const o = (await unwrap(clusterStub(c.env, cluster).rollbackAgreement(c.get("actor"), name, version))) as ApplyOutcome;
    const registered = o.registry.length ? await register(c, cluster, o.registry) : [];
    return c.json({ ...publicResult(o), ...(registered.length ? { registered } : {}) }, 200);
  },
);

agreements.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/clusters/{cluster}/agreements/{name}",
    summary: "Remove an agreement (operator): the workloads it created, last dependency wave first, and its httpcg registrations",
    request: { params: NameParam },
    responses: { 200: json(z.object({ deleted: z.string(), workloads: z.array(z.string()), unregistered: z.array(z.string()) }), "Removing") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const r = await unwrap(clusterStub(c.env, cluster).deleteAgreement(c.get("actor"), name));
    const unregistered: string[] = [];
    for (const b of r.registry) {
      const res = await registryStub(c.env, b.host).removeHost(c.get("actor"), b.host);
      resolverCache(c.env).invalidateTag(hostTag(b.host));
      if (res.ok) unregistered.push(b.host);
    }
    return c.json({ deleted: r.deleted, workloads: r.workloads, unregistered }, 200);
  },
);
