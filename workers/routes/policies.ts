import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { Policy, PolicyBody, PolicyName, PolicyTestBody, PolicyTestResult } from "../../protocol/api/policy.ts";
import { Cluster, SecurityLevelBody } from "../../protocol/api/cluster.ts";

export const policies = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const NameParam = ClusterParam.extend({ name: PolicyName.openapi({ param: { name: "name", in: "path" } }) });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });

policies.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/policies",
    summary: "Add a CEL policy (admin); the expression is compiled now, a bad one is a 422 naming expr",
    request: { params: ClusterParam, ...body(PolicyBody) },
    responses: { 201: json(z.object({ policy: Policy }), "Added"), 409: { description: "A policy of that name exists" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ policy: await unwrap(clusterStub(c.env, cluster).addPolicy(c.get("actor"), c.req.valid("json"))) }, 201);
  },
);

policies.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/policies",
    summary: "List the cluster's policies (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ policies: z.array(Policy) }), "Policies") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ policies: await unwrap(clusterStub(c.env, cluster).listPolicies(c.get("actor"))) }, 200);
  },
);

policies.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/policies/{name}",
    summary: "One policy with its hash (viewer)",
    request: { params: NameParam },
    responses: { 200: json(z.object({ policy: Policy }), "Policy") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json({ policy: await unwrap(clusterStub(c.env, cluster).getPolicy(c.get("actor"), name)) }, 200);
  },
);

policies.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/clusters/{cluster}/policies/{name}",
    summary: "Remove a policy (admin)",
    request: { params: NameParam },
    responses: { 200: json(z.object({ removed: z.string(), hash: z.string() }), "Removed") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).removePolicy(c.get("actor"), name)), 200);
  },
);

policies.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/policies/{name}/test",
    summary: "Evaluate a policy on a document (viewer); nothing is changed or recorded",
    request: { params: NameParam, ...body(PolicyTestBody) },
    responses: { 200: json(z.object({ decision: PolicyTestResult }), "The decision") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    // The RPC boundary types unknown JSON loosely; the DO built it from this very schema.
    const decision = (await unwrap(clusterStub(c.env, cluster).testPolicy(c.get("actor"), name, c.req.valid("json").input))) as PolicyTestResult;
    return c.json({ decision } as never, 200);
  },
);

policies.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/security-level",
    summary: "Raise the cluster's security level (admin); lowering is refused, as is a level existing workloads break",
    request: { params: ClusterParam, ...body(SecurityLevelBody) },
    responses: { 200: json(z.object({ cluster: Cluster }), "The cluster at its level"), 409: { description: "Lowering, or the level's rules do not hold" } },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const { security_level, compliance } = c.req.valid("json");
    return c.json({ cluster: await unwrap(clusterStub(c.env, cluster).raiseSecurityLevel(c.get("actor"), security_level, compliance)) }, 200);
  },
);
