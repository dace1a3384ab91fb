// rootzk proof checking for the routes (ZK.md): resolve the prover's DID, verify the Schnorr proof
// against its authentication keys, then burn the challenge in its ZkChallengeDO shard. The
// order matters: a bad proof does not use up a good challenge. Nothing here logs or stores
// the prover's DID or key; failures are answered, never recorded.
import { z } from "@hono/zod-openapi";
import { fail } from "../../domain/problem.ts";
import { isDid, isResolveError, verifyForDocument, ZK_DEFAULT_WINDOW_S, type ZkProof } from "../../domain/resolver/index.ts";
import { resolveDid } from "./resolver-did.ts";

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex characters");

export const ZkProofSchema = z
  .object({
    v: z.literal(1),
    did: z.string().max(2048).refine(isDid, "must be a DID"),
    kid: z.string().min(1).max(4096),
    challenge: Hex64,
    window: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    commitment: Hex64,
    response: Hex64,
  })
  .strict()
  .openapi("ZkProof");

export const challengeStub = (env: Env, challenge: string) => env.ZK_CHALLENGES.get(env.ZK_CHALLENGES.idFromName(`zk:${parseInt(challenge[0], 16)}`));

/** Throws 401 unless the proof verifies and its challenge was live and unused; returns the key id. */
export async function checkProof(env: Env, proof: ZkProof, now: number): Promise<{ did: string; kid: string }> {
  let resolved;
  try {
    resolved = await resolveDid(env, proof.did, { cache: "read-only" });
  } catch (e) {
    if (isResolveError(e)) fail(401, `the proof's DID cannot be resolved (${e.code})`, { code: "zk-proof-invalid", field: "proof.did" });
    throw e;
  }
  if (resolved.metadata.deactivated) fail(401, "the proof's DID is deactivated", { code: "zk-proof-invalid", field: "proof.did" });
  const r = verifyForDocument(proof, resolved.document, { expectedChallenge: proof.challenge, now, windowS: ZK_DEFAULT_WINDOW_S });
  if (!r.ok) fail(401, `zero-knowledge proof rejected: ${r.reason}`, { code: "zk-proof-invalid", field: "proof" });
  const used = await challengeStub(env, proof.challenge).consume(proof.challenge, proof.did);
  if (!used.ok) fail(401, `zero-knowledge proof rejected: challenge ${used.reason}`, { code: "zk-challenge-" + used.reason, field: "proof.challenge" });
  return { did: proof.did, kid: r.kid! };
}
