// rootzk zero-knowledge authentication (domain/resolver/ZK.md): challenges and proof checks.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { randomBytes } from "../../protocol/bytes.ts";
import type { AppEnv } from "../env.ts";
import { publicRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { json } from "../lib/openapi.ts";
import { CHALLENGE_SHARDS } from "../../durable-objects/registry/challenge-do.ts";
import { isDid, ZK_DEFAULT_WINDOW_S, ZK_DOMAIN } from "../../domain/resolver/index.ts";
import { checkProof, ZkProofSchema } from "./resolver-zk-verify.ts";

export const resolverZk = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const ChallengeBody = z
  .object({
    did: z.string().max(2048).refine(isDid, "must be a DID").optional().openapi({ description: "bind the challenge to this DID (it is then stored with it until expiry)" }),
    ttl_s: z.number().int().min(1).max(600).default(120),
  })
  .strict();

resolverZk.openapi(
  publicRoute({
    method: "post",
    path: "/v1/resolve/rootzk/challenge",
    summary: "A fresh single-use challenge for a rootzk proof (expires after ttl_s, default 120 s)",
    request: { body: { content: { "application/json": { schema: ChallengeBody } }, required: false } },
    responses: {
      201: json(z.object({ challenge: z.string(), expires_at: z.string(), window_s: z.number().int(), domain: z.string() }), "The challenge"),
    },
  }),
  async (c) => {
    // An empty body is allowed: the defaults then apply.
    const body = c.req.header("content-length") === "0" || !c.req.raw.body ? ChallengeBody.parse({}) : c.req.valid("json");
    // The shard is random: load spreads over the instances, and the challenge names its shard.
    const shard = randomBytes(1)[0] % CHALLENGE_SHARDS;
    const stub = c.env.ZK_CHALLENGES.get(c.env.ZK_CHALLENGES.idFromName(`zk:${shard}`));
    const out = await stub.issue(shard, body.did ?? null, body.ttl_s);
    return c.json({ ...out, window_s: ZK_DEFAULT_WINDOW_S, domain: ZK_DOMAIN }, 201);
  },
);

resolverZk.openapi(
  publicRoute({
    method: "post",
    path: "/v1/resolve/rootzk/verify",
    summary: "Check a rootzk proof and use up its challenge (401 with the reason when it fails)",
    request: { body: { content: { "application/json": { schema: z.object({ proof: ZkProofSchema }).strict() } }, required: true } },
    responses: { 200: json(z.object({ verified: z.literal(true), did: z.string(), kid: z.string() }), "Verified") },
  }),
  async (c) => {
    const { proof } = c.req.valid("json");
    const r = await checkProof(c.env, proof, Date.now());
    c.header("cache-control", "no-store");
    return c.json({ verified: true as const, ...r }, 200);
  },
);
