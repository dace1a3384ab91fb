import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { HeartbeatBody, LogBatch } from "../../protocol/api/agent.ts";
import { Address } from "../../protocol/api/common.ts";
import { ClusterParam, json } from "../lib/openapi.ts";

/** The agent channel: a node speaks only for itself (the path's node must be the signer). */
export const agent = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const NodeParam = ClusterParam.extend({ node: Address.openapi({ param: { name: "node", in: "path" } }) });

const self = (node: string, actor: string) => {
  if (node !== actor) fail(403, "a node may only act for its own address", { field: "node" });
};

agent.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/nodes/{node}/heartbeat",
    summary: "Node heartbeat: usage and container states (node)",
    request: { params: NodeParam, body: { content: { "application/json": { schema: HeartbeatBody } }, required: true } },
    responses: { 200: json(z.object({ desired_version: z.number().int() }), "Recorded") },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    self(node, c.get("actor"));
    // The request as the node signed it: with consensus placement, validators re-check it.
    const digest = c.req.header("content-digest");
    const signed = {
      method: c.req.method, url: c.req.url, signature_input: c.req.header("signature-input")!, signature: c.req.header("signature")!,
      ...(digest ? { content_digest: digest } : {}), body: await c.req.text(),
    };
    return c.json(await unwrap(clusterStub(c.env, cluster).heartbeat(node, c.req.valid("json"), signed)), 200);
  },
);

agent.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes/{node}/desired",
    summary: "Long-poll the node's desired state, signed by the control-plane key (node)",
    request: {
      params: NodeParam,
      query: z.object({
        since: z.coerce.number().int().min(0).default(0),
        wait: z.coerce.number().int().min(0).max(55).default(25),
      }),
    },
    responses: { 200: json(z.looseObject({ version: z.number().int(), replicas: z.array(z.looseObject({})), sig: z.string() }), "Desired state") },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const { since, wait } = c.req.valid("query");
    self(node, c.get("actor"));
    return c.json(await unwrap(clusterStub(c.env, cluster).desiredState(node, since, wait * 1000)), 200);
  },
);

agent.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/nodes/{node}/logs",
    summary: "Append container output (node)",
    request: { params: NodeParam, body: { content: { "application/json": { schema: LogBatch } }, required: true } },
    responses: { 202: json(z.object({ stored: z.number().int() }), "Stored") },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    self(node, c.get("actor"));
    return c.json(await unwrap(clusterStub(c.env, cluster).pushLogs(node, c.req.valid("json"))), 202);
  },
);
