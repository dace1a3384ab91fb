import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { clusterRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { ApprovalBody, CreatePipelineBody, Pipeline, PipelineName, PromoteBody, Promotion } from "../../protocol/api/pipeline.ts";
import type { RequestSignature } from "../../durable-objects/cluster/pipelines.ts";

export const pipelines = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const PipelineParam = ClusterParam.extend({ pipeline: PipelineName.openapi({ param: { name: "pipeline", in: "path" } }) });
const PromotionParam = PipelineParam.extend({
  id: z.string().regex(/^pr-[0-9a-f]{12}$/).openapi({ param: { name: "id", in: "path" } }),
  decision: z.enum(["approve", "reject"]).openapi({ param: { name: "decision", in: "path" } }),
});

/**
 * The verified request's signature, as the signature middleware checked it: kept in the audit
 * entry of a promote or an approval, so the approval is the approver's own signed request.
 */
const signedRequest = (c: { get(k: "actor"): string; req: { method: string; url: string; header(name: string): string | undefined } }): RequestSignature => ({
  keyid: c.get("actor"),
  method: c.req.method,
  target_uri: c.req.url,
  signature_input: c.req.header("signature-input") ?? "",
  signature: c.req.header("signature") ?? "",
  content_digest: c.req.header("content-digest") ?? null,
});

pipelines.openapi(
  clusterRoute("admin", {
    method: "post",
    path: "/v1/clusters/{cluster}/pipelines",
    summary: "Create a TrafficLight pipeline: stages of workloads and the gates of each promotion (admin)",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: CreatePipelineBody } }, required: true } },
    responses: { 201: json(z.object({ pipeline: Pipeline }), "Created") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ pipeline: await unwrap(clusterStub(c.env, cluster).createPipeline(c.get("actor"), c.req.valid("json"))) }, 201);
  },
);

pipelines.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/pipelines",
    summary: "The cluster's pipelines and their recent promotions (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ pipelines: z.array(Pipeline) }), "Pipelines") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ pipelines: await unwrap(clusterStub(c.env, cluster).listPipelines(c.get("actor"))) }, 200);
  },
);

pipelines.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/pipelines/{pipeline}",
    summary: "A pipeline with each gate's state (green, yellow, red) evaluated now (viewer)",
    request: { params: PipelineParam },
    responses: { 200: json(z.object({ pipeline: Pipeline }), "Pipeline") },
  }),
  async (c) => {
    const { cluster, pipeline } = c.req.valid("param");
    return c.json({ pipeline: await unwrap(clusterStub(c.env, cluster).pipelineStatus(c.get("actor"), pipeline)) }, 200);
  },
);

pipelines.openapi(
  clusterRoute("operator", {
    method: "post",
    path: "/v1/clusters/{cluster}/pipelines/{pipeline}/promotions",
    summary: "Promote into the next stage (or `to`); the signer is the change's author and cannot approve it (operator)",
    request: { params: PipelineParam, body: { content: { "application/json": { schema: PromoteBody } }, required: false } },
    responses: { 201: json(z.object({ promotion: Promotion }), "Requested") },
  }),
  async (c) => {
    const { cluster, pipeline } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    return c.json({ promotion: await unwrap(clusterStub(c.env, cluster).promote(c.get("actor"), pipeline, body.to, signedRequest(c))) }, 201);
  },
);

pipelines.openapi(
  clusterRoute("viewer", {
    method: "post",
    path: "/v1/clusters/{cluster}/pipelines/{pipeline}/promotions/{id}/{decision}",
    summary: "Approve or reject a promotion: a distinct wallet with the pipeline's approval role, never its author",
    request: { params: PromotionParam, body: { content: { "application/json": { schema: ApprovalBody } }, required: false } },
    responses: { 200: json(z.object({ promotion: Promotion }), "Decided") },
  }),
  async (c) => {
    const { cluster, pipeline, id, decision } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    const promotion = await unwrap(clusterStub(c.env, cluster).decidePromotion(c.get("actor"), pipeline, id, decision, signedRequest(c), body.comment));
    return c.json({ promotion }, 200);
  },
);
