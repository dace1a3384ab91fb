// The httpcg shadow registry: PUT/DELETE are signed and go to the host's RegistryDO (single
// writer, owner check, version, audit entry); reads are public and come from D1.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { publicRoute, signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { listAudit } from "../../domain/ledger/queries.ts";
import { json } from "../lib/openapi.ts";
import { resolverCache } from "./resolver-config.ts";
import { hostTag } from "./resolver-service.ts";
import { currentHost, hostVersions } from "./registry-queries.ts";
import { HostParam, HostRecordBody, requireIJson } from "../../domain/registry/schemas.ts";
import { HostRecordSchema, HostView, type HostRecord } from "../../protocol/api/registry.ts";
import { ClusterName } from "../../protocol/api/common.ts";
import { checkEndpoints } from "../../domain/registry/private-endpoints.ts";
import type { Context } from "hono";

export const registry = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** ?cluster= on a signed write: a cluster whose admin may publish private endpoints, if it allows them. */
export const PrivateEndpointsQuery = z.object({
  cluster: ClusterName.optional().openapi({ description: "a cluster you administer whose config sets allow_private_endpoints" }),
});

export const privateAllowed = (c: Context<AppEnv>, cluster: string | undefined) => async () =>
  cluster !== undefined && (await unwrap(clusterStub(c.env, cluster).authorize(c.get("actor"), "admin"))).config.allow_private_endpoints;

const stub = (env: Env, host: string) => env.REGISTRY.get(env.REGISTRY.idFromName(`httpcg:${host}`));
const Paging = z.object({
  from_seq: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

registry.openapi(
  signedRoute({
    method: "put",
    path: "/v1/registry/httpcg/{host}",
    summary: "Register or update an httpcg host (the first signer owns it; then only the owner)",
    request: { params: HostParam, query: PrivateEndpointsQuery, body: { content: { "application/json": { schema: HostRecordBody } }, required: true } },
    responses: {
      200: json(z.object({ registration: HostView, changed: z.boolean() }), "Updated (or unchanged)"),
      201: json(z.object({ registration: HostView, changed: z.literal(true) }), "Registered"),
      422: { description: "Invalid record; `field` names it" },
    },
  }),
  async (c) => {
    const { host } = c.req.valid("param");
    const body = c.req.valid("json");
    requireIJson(body);
    await checkEndpoints([{ field: "https_endpoint", url: body.https_endpoint }], privateAllowed(c, c.req.valid("query").cluster));
    const actor = c.get("actor");
    // Pointing a name at a cluster's gateway is a change to how that cluster is reached: operators only.
    if (body.gateway) await unwrap(clusterStub(c.env, body.gateway.cluster).authorize(actor, "operator"));
    const record: HostRecord = { wallet_binding: body.wallet_binding ?? null, ttl_s: body.ttl_s ?? 300 };
    if (body.https_endpoint !== undefined) record.https_endpoint = body.https_endpoint;
    if (body.gateway !== undefined) record.gateway = body.gateway;
    const r = await unwrap(stub(c.env, host).setHost(actor, host, record));
    resolverCache(c.env).invalidateTag(hostTag(host));
    return r.created ? c.json({ registration: r.host, changed: true as const }, 201) : c.json({ registration: r.host, changed: r.changed }, 200);
  },
);

registry.openapi(
  publicRoute({
    method: "get",
    path: "/v1/registry/httpcg/{host}",
    summary: "A host's current registration",
    request: { params: HostParam },
    responses: { 200: json(z.object({ registration: HostView }), "The registration"), 404: { description: "Not registered" } },
  }),
  async (c) => {
    const { host } = c.req.valid("param");
    const row = await currentHost(c.env.LEDGER, host);
    if (!row?.record) fail(404, `${host} is not registered`, { field: "host" });
    return c.json({ registration: { host, version: row.version, owner: row.owner, record: row.record, updated_at: row.ts, audit_hash: row.audit_hash } }, 200);
  },
);

registry.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/registry/httpcg/{host}",
    summary: "Remove a host (owner); the claim is released, the history stays",
    request: { params: HostParam },
    responses: { 200: json(z.object({ removed: z.object({ host: z.string(), version: z.number().int() }) }), "Removed") },
  }),
  async (c) => {
    const { host } = c.req.valid("param");
    const r = await unwrap(stub(c.env, host).removeHost(c.get("actor"), host));
    resolverCache(c.env).invalidateTag(hostTag(host));
    return c.json({ removed: { host: r.host, version: r.version } }, 200);
  },
);

const Version = z
  .object({ version: z.number().int(), owner: z.string(), actor: z.string(), deleted: z.boolean(), record: HostRecordSchema.nullable(), ts: z.string(), audit_hash: z.string() })
  .openapi("RegistryHostVersion");

registry.openapi(
  publicRoute({
    method: "get",
    path: "/v1/registry/httpcg/{host}/versions",
    summary: "Every version of a host's registration, oldest first",
    request: { params: HostParam, query: Paging.pick({ limit: true }) },
    responses: { 200: json(z.object({ versions: z.array(Version) }), "Versions") },
  }),
  async (c) => {
    const { host } = c.req.valid("param");
    const rows = await hostVersions(c.env.LEDGER, host, c.req.valid("query").limit);
    return c.json({ versions: rows.map(({ host: _h, ...v }) => v) }, 200);
  },
);

registry.openapi(
  publicRoute({
    method: "get",
    path: "/v1/registry/httpcg/{host}/audit",
    summary: "The host's audit chain (AuditEntries with cluster = registry:httpcg:<host>)",
    request: { params: HostParam, query: Paging },
    responses: { 200: json(z.object({ entries: z.array(z.looseObject({})) }), "Entries in seq order") },
  }),
  async (c) => {
    const { host } = c.req.valid("param");
    const { from_seq, limit } = c.req.valid("query");
    return c.json({ entries: await listAudit(c.env.LEDGER, `registry:httpcg:${host}`, from_seq, limit) }, 200);
  },
);
