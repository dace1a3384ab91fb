import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { warningHeader } from "../lib/warnings.ts";
import { Cluster, ClusterConfig, CreateClusterBody, GrantRoleBody, JoinToken, JoinTokenBody, RoleBinding } from "../../protocol/api/cluster.ts";
import { Address } from "../../protocol/api/common.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { fail } from "../../domain/problem.ts";
import { firstPrivateEndpoint } from "../../domain/registry/private-endpoints.ts";

export const clusters = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/**
 * Witness URLs are fetched by the logs' DOs: like registry endpoints, one on a loopback, private or
 * link-local host needs the cluster to allow private endpoints (SSRF); and a quorum needs witnesses.
 */
function checkWitnessConfig(cfg: ClusterConfig): void {
  if (cfg.witness_quorum > cfg.witnesses.length) {
    fail(422, `config.witness_quorum: ${cfg.witness_quorum} is more than the ${cfg.witnesses.length} configured witnesses`, { field: "config.witness_quorum" });
  }
  const endpoints = cfg.witnesses.map((w, i) => ({ field: `config.witnesses[${i}].url`, url: w.url }));
  const bad = cfg.allow_private_endpoints ? null : firstPrivateEndpoint(endpoints);
  if (bad) fail(422, `${bad.field}: ${bad.reason}; a witness on such a host needs config.allow_private_endpoints`, { field: bad.field });
}

const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });

clusters.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters",
    summary: "Create a cluster; the signer becomes its owner",
    request: body(CreateClusterBody),
    responses: { 201: json(z.object({ cluster: Cluster }), "Created"), 409: { description: "Name taken" } },
  }),
  async (c) => {
    const { name, config } = c.req.valid("json");
    const cfg = ClusterConfig.parse(config ?? {});
    checkWitnessConfig(cfg);
    const cluster = await unwrap(clusterStub(c.env, name).create(c.get("actor"), name, cfg));
    return c.json({ cluster }, 201);
  },
);

clusters.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}",
    summary: "Show a cluster (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ cluster: Cluster }), "The cluster") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ cluster: await unwrap(clusterStub(c.env, cluster).get(c.get("actor"))) }, 200);
  },
);

clusters.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/quantum-safe",
    summary: "Turn on ML-DSA-65 co-signatures of LogBlocks and audit entries (admin); it is never turned off",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ cluster: Cluster }), "The cluster, quantum-safe") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ cluster: await unwrap(clusterStub(c.env, cluster).enableQuantumSafe(c.get("actor"))) }, 200);
  },
);

clusters.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/join-tokens",
    summary: "Issue a single-use, expiring join token (admin)",
    request: { params: ClusterParam, ...body(JoinTokenBody) },
    responses: { 201: json(JoinToken, "The token; it is shown once") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { ttl_s } = c.req.valid("json");
    return c.json(await unwrap(clusterStub(c.env, cluster).issueJoinToken(c.get("actor"), ttl_s)), 201);
  },
);

clusters.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/roles",
    summary: "List role bindings (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ roles: z.array(RoleBinding) }), "Role bindings") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ roles: await unwrap(clusterStub(c.env, cluster).listRoles(c.get("actor"))) }, 200);
  },
);

clusters.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/roles",
    summary: "Grant admin, operator or viewer (admin; admin needs the owner)",
    request: { params: ClusterParam, ...body(GrantRoleBody) },
    responses: { 200: json(z.object({ role: RoleBinding }), "Granted") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { address, role } = c.req.valid("json");
    const { warnings, ...granted } = await unwrap(clusterStub(c.env, cluster).grantRole(c.get("actor"), address, role));
    warningHeader(c, { warnings });
    return c.json({ role: granted, ...(warnings ? { warnings } : {}) }, 200);
  },
);

clusters.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/clusters/{cluster}/roles/{address}",
    summary: "Revoke a role (admin; admin needs the owner)",
    request: { params: ClusterParam.extend({ address: Address.openapi({ param: { name: "address", in: "path" } }) }) },
    responses: { 200: json(z.object({ revoked: z.object({ address: Address, role: z.string() }) }), "Revoked") },
  }),
  async (c) => {
    const { cluster, address } = c.req.valid("param");
    const { warnings, ...revoked } = await unwrap(clusterStub(c.env, cluster).revokeRole(c.get("actor"), address));
    warningHeader(c, { warnings });
    return c.json({ revoked, ...(warnings ? { warnings } : {}) }, 200);
  },
);
