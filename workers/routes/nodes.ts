import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { Address } from "../../protocol/api/common.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { JoinNodeBody, Node } from "../../protocol/api/node.ts";
import { ValidatorSet, ValidatorSetChange } from "../../protocol/api/placement.ts";

export const nodes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

nodes.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/nodes",
    summary: "Register a node: signed by the node's own key, with a single-use join token",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: JoinNodeBody } }, required: true } },
    responses: { 201: json(z.object({ node: Node, validator_set: ValidatorSet.optional(), validator_set_changes: z.array(ValidatorSetChange).optional() }), "Registered") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const stub = clusterStub(c.env, cluster);
    const node = await unwrap(stub.joinNode(c.get("actor"), c.req.valid("json")));
    // With consensus placement the node pins the validator set it is given now.
    const pin = await unwrap(stub.validatorSet(c.get("actor")));
    return c.json({ node, ...(pin ? { validator_set: pin.validator_set, validator_set_changes: pin.changes } : {}) }, 201);
  },
);

nodes.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes",
    summary: "List nodes (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ nodes: z.array(Node) }), "Nodes") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ nodes: await unwrap(clusterStub(c.env, cluster).listNodes(c.get("actor"))) }, 200);
  },
);

const NodeParam = ClusterParam.extend({ node: Address.openapi({ param: { name: "node", in: "path" } }) });

for (const [verb, mode, summary] of [
  ["cordon", "cordoned", "Stop placing new replicas on a node (operator)"],
  ["drain", "draining", "Cordon a node and move its replicas elsewhere (operator)"],
  ["uncordon", "ready", "Return a cordoned or drained node to service (operator)"],
] as const) {
  nodes.openapi(
    signedRoute({
      method: "post",
      path: `/v1/clusters/{cluster}/nodes/{node}/${verb}`,
      summary,
      request: { params: NodeParam },
      responses: { 200: json(z.object({ node: Node }), "Updated") },
    }),
    async (c) => {
      const { cluster, node } = c.req.valid("param");
      return c.json({ node: await unwrap(clusterStub(c.env, cluster).setNodeMode(c.get("actor"), node, mode)) }, 200);
    },
  );
}

nodes.openapi(
  signedRoute({
    method: "delete",
    path: "/v1/clusters/{cluster}/nodes/{node}",
    summary: "Remove a node and revoke its key (admin): its replicas move elsewhere, its requests are refused",
    request: { params: NodeParam },
    responses: { 200: json(z.object({ removed: Node }), "Removed") },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    return c.json({ removed: await unwrap(clusterStub(c.env, cluster).removeNode(c.get("actor"), node)) }, 200);
  },
);
