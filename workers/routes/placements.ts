import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { clusterRoute, signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { Address, AppName } from "../../protocol/api/common.ts";
import { PlacementAnswer, PlacementView, ValidatorSet, ValidatorSetChange } from "../../protocol/api/placement.ts";
import { ClusterParam, json } from "../lib/openapi.ts";

/** Consensus placement (README "Consensus placement"): validators' answers, the set, the rounds. */
export const placements = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const NodeParam = ClusterParam.extend({ node: Address.openapi({ param: { name: "node", in: "path" } }) });
const NameParam = ClusterParam.extend({ name: AppName.openapi({ param: { name: "name", in: "path" } }) });

const self = (node: string, actor: string) => {
  if (node !== actor) fail(403, "a node may only act for its own address", { field: "node" });
};

placements.openapi(
  signedRoute({
    method: "post",
    path: "/v1/clusters/{cluster}/nodes/{node}/placements",
    summary: "A validator's signed approval or refusal of a placement proposal (validator node)",
    request: { params: NodeParam, body: { content: { "application/json": { schema: PlacementAnswer } }, required: true } },
    responses: { 200: json(z.object({ status: z.string() }), "Recorded; the round's status") },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    self(node, c.get("actor"));
    return c.json(await unwrap(clusterStub(c.env, cluster).answerPlacement(node, c.req.valid("json"))), 200);
  },
);

placements.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/nodes/{node}/audit",
    summary: "Audit entries in seq order, for a validator following the chain (validator node)",
    request: {
      params: NodeParam,
      query: z.object({ from_seq: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(1000).default(500) }),
    },
    responses: { 200: json(z.object({ entries: z.array(z.looseObject({})) }), "Entries") },
  }),
  async (c) => {
    const { cluster, node } = c.req.valid("param");
    const { from_seq, limit } = c.req.valid("query");
    self(node, c.get("actor"));
    return c.json(await unwrap(clusterStub(c.env, cluster).validatorAudit(node, from_seq, limit)), 200);
  },
);

placements.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/workloads/{name}/placements",
    summary: "Each placement round of a workload with its signed approvals and refusals (viewer)",
    request: { params: NameParam },
    responses: { 200: json(z.object({ quorum: z.number().int(), epoch: z.number().int(), validators: z.array(z.string()), placements: z.array(PlacementView) }), "Placements") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    return c.json(await unwrap(clusterStub(c.env, cluster).placements(c.get("actor"), name)), 200);
  },
);

placements.openapi(
  clusterRoute("viewer", {
    method: "get",
    path: "/v1/clusters/{cluster}/validator-set",
    summary: "The current validator set and the quorum-signed changes that led to it (viewer)",
    request: { params: ClusterParam },
    responses: { 200: json(z.object({ validator_set: ValidatorSet.nullable(), changes: z.array(ValidatorSetChange) }), "Validator set") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    const v = await unwrap(clusterStub(c.env, cluster).validatorSet(c.get("actor")));
    return c.json(v ?? { validator_set: null, changes: [] }, 200);
  },
);

placements.openapi(
  clusterRoute("admin", {
    method: "post",
    path: "/v1/clusters/{cluster}/validator-set",
    summary: "Change the validator set and quorum: the change must be signed by k validators of the current set (admin submits)",
    request: { params: ClusterParam, body: { content: { "application/json": { schema: ValidatorSetChange } }, required: true } },
    responses: { 200: json(z.object({ validator_set: ValidatorSet }), "The new set") },
  }),
  async (c) => {
    const { cluster } = c.req.valid("param");
    return c.json({ validator_set: await unwrap(clusterStub(c.env, cluster).changeValidatorSet(c.get("actor"), c.req.valid("json"))) }, 200);
  },
);
