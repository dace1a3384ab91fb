// The did:bpi registry: PUT creates or updates a W3C DID document, DELETE deactivates it; both
// are signed by an Ed25519 authentication key (of the new document on create, of the current
// version afterwards) and go to the DID's RegistryDO. Reads are public and come from D1;
// resolution proper is GET /1.0/identifiers/{did}.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { publicRoute, signedRoute } from "../lib/route.ts";
import { unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { listAudit } from "../../domain/ledger/queries.ts";
import { json } from "../lib/openapi.ts";
import { DidDocumentSchema, type DidDocument } from "../../domain/resolver/index.ts";
import { resolverCache } from "./resolver-config.ts";
import { didTag } from "./resolver-did.ts";
import { didAt, didHistory } from "./registry-queries.ts";
import { DidParam, requireIJson } from "../../domain/registry/schemas.ts";
import { DidView } from "../../protocol/api/registry.ts";
import type { Result } from "../../domain/result.ts";
import { didView } from "../../durable-objects/registry/did-records.ts";
import { checkEndpoints, serviceEndpoints } from "../../domain/registry/private-endpoints.ts";
import { PrivateEndpointsQuery, privateAllowed } from "./registry.ts";

export const dids = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const MAX_DOCUMENT_BYTES = 64 * 1024;
/**
 * The DID methods of RegistryDO. DID documents are open JSON (unknown members are kept), which the
 * RPC stub's serialisable-type mapping cannot express, so the stub is viewed through this type.
 */
interface DidRegistry {
  putDid(actor: string, did: string, doc: DidDocument): Promise<Result<{ created: boolean; view: DidView }>>;
  deactivateDid(actor: string, did: string): Promise<Result<DidView>>;
}
const stub = (env: Env, did: string) => env.REGISTRY.get(env.REGISTRY.idFromName(`did:${did}`)) as unknown as DidRegistry;

dids.openapi(
  signedRoute({
    method: "put",
    path: "/v1/dids/{did}",
    summary: "Create or update a did:bpi DID document (signed by an authentication key)",
    request: { params: DidParam, query: PrivateEndpointsQuery, body: { content: { "application/json": { schema: DidDocumentSchema } }, required: true } },
    responses: { 200: json(DidView, "Updated (or unchanged)"), 201: json(DidView, "Created"), 410: { description: "Deactivated" }, 422: { description: "Invalid document" } },
  }),
  async (c) => {
    const { did } = c.req.valid("param");
    const doc = c.req.valid("json");
    if (doc.id !== did) fail(422, `id must be ${did}, the DID in the path`, { field: "id" });
    requireIJson(doc);
    if (JSON.stringify(doc).length > MAX_DOCUMENT_BYTES) fail(413, `a DID document is at most ${MAX_DOCUMENT_BYTES} bytes`, { field: "body" });
    await checkEndpoints(serviceEndpoints(doc as DidDocument), privateAllowed(c, c.req.valid("query").cluster));
    const r = await unwrap(stub(c.env, did).putDid(c.get("actor"), did, doc as DidDocument));
    resolverCache(c.env).invalidateTag(didTag(did));
    return c.json(r.view, r.created ? 201 : 200);
  },
);

dids.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/dids/{did}",
    summary: "Deactivate a did:bpi DID (signed by a current authentication key); final",
    request: { params: DidParam },
    responses: { 200: json(DidView, "Deactivated"), 410: { description: "Already deactivated" } },
  }),
  async (c) => {
    const { did } = c.req.valid("param");
    const view = await unwrap(stub(c.env, did).deactivateDid(c.get("actor"), did));
    resolverCache(c.env).invalidateTag(didTag(did));
    return c.json(view, 200);
  },
);

dids.openapi(
  publicRoute({
    method: "get",
    path: "/v1/dids/{did}",
    summary: "A did:bpi DID's current document and metadata (also when deactivated)",
    request: { params: DidParam },
    responses: { 200: json(DidView, "The DID"), 404: { description: "Not registered" } },
  }),
  async (c) => {
    const { did } = c.req.valid("param");
    const found = await didAt(c.env.LEDGER, did);
    if (!found) fail(404, `${did} is not registered`, { field: "did" });
    return c.json(didView(found.row), 200);
  },
);

const Version = z
  .object({ versionId: z.string(), updated: z.string(), deactivated: z.boolean(), actor: z.string(), audit_hash: z.string() })
  .openapi("DidVersion");

dids.openapi(
  publicRoute({
    method: "get",
    path: "/v1/dids/{did}/versions",
    summary: "Every version of a DID, oldest first (documents: /1.0/identifiers/{did}?versionId=N)",
    request: { params: DidParam, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
    responses: { 200: json(z.object({ versions: z.array(Version) }), "Versions") },
  }),
  async (c) => {
    const { did } = c.req.valid("param");
    const rows = await didHistory(c.env.LEDGER, did, c.req.valid("query").limit);
    const versions = rows.map((r) => ({ versionId: String(r.version), updated: r.updated, deactivated: r.deactivated, actor: r.actor, audit_hash: r.audit_hash }));
    return c.json({ versions }, 200);
  },
);

dids.openapi(
  publicRoute({
    method: "get",
    path: "/v1/dids/{did}/audit",
    summary: "The DID's audit chain (AuditEntries with cluster = registry:<did>)",
    request: {
      params: DidParam,
      query: z.object({ from_seq: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    },
    responses: { 200: json(z.object({ entries: z.array(z.looseObject({})) }), "Entries in seq order") },
  }),
  async (c) => {
    const { did } = c.req.valid("param");
    const { from_seq, limit } = c.req.valid("query");
    return c.json({ entries: await listAudit(c.env.LEDGER, `registry:${did}`, from_seq, limit) }, 200);
  },
);
