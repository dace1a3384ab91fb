// GET /v1/resolve (public, hot) and privacy-mode resolution (a rootzk zero-knowledge proof
// instead of any identity). See domain/resolver/README.md for the answer and the privacy rules.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { base64urlnopad } from "@scure/base";
import { fromUtf8 } from "../../protocol/bytes.ts";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { publicRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { Address, ProblemSchema } from "../../protocol/api/common.ts";
import { json } from "../lib/openapi.ts";
import { resolving } from "./resolver-problem.ts";
import { resolveName } from "./resolver-service.ts";
import { checkProof, ZkProofSchema } from "./resolver-zk-verify.ts";
import { ResolvedDomain } from "../../protocol/api/resolver.ts";

export const resolver = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const problems = (codes: number[]) =>
  Object.fromEntries(codes.map((s) => [s, { description: "RFC 9457 problem", content: { "application/problem+json": { schema: ProblemSchema } } }]));

const Name = z.string().min(1).max(4096).openapi({ example: "httpcg://app.example.com/api" });

/** The proof of a GET in privacy mode: header `rootzk-proof: base64url(JSON proof)`, kept out of URLs and logs. */
function proofHeader(h: string | undefined) {
  if (!h) fail(401, "privacy_mode needs a rootzk-proof header (base64url of the JSON proof), or POST /v1/resolve with { name, proof }", { field: "rootzk-proof" });
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(base64urlnopad.decode(h.trim())));
  } catch {
    fail(400, "rootzk-proof is not base64url of a JSON proof", { field: "rootzk-proof" });
  }
  const p = ZkProofSchema.safeParse(value);
  if (!p.success) fail(400, `rootzk-proof: ${p.error.issues[0].path.join(".") || "proof"}: ${p.error.issues[0].message}`, { field: "rootzk-proof" });
  return p.data;
}

const privateHeaders = { "content-type": "application/json", "cache-control": "no-store" };

/**
 * Sends an already serialised ResolvedDomain. Typed routes only accept c.json()'s typed responses;
 * this body is JSON of that same schema, made once when it was cached, so it is cast, not re-encoded.
 */
const sendJson = (body: string, headers: Record<string, string>) => new Response(body, { status: 200, headers }) as never;

resolver.openapi(
  publicRoute({
    method: "get",
    path: "/v1/resolve",
    summary: "Resolve an httpcg:// or rootzk:// name (public; cached per isolate)",
    request: {
      query: z.object({
        name: Name,
        wallet: Address.optional().openapi({ description: "the wallet the client will use; bound into the QLOCK token" }),
        privacy_mode: z.enum(["true", "false"]).optional().openapi({ description: "true: needs a rootzk-proof header; nothing identifying is kept" }),
      }),
    },
    responses: { 200: json(ResolvedDomain, "The resolution"), ...problems([400, 401, 404, 410, 501, 502]) },
  }),
  async (c) => {
    const { name, wallet, privacy_mode } = c.req.valid("query");
    const origin = new URL(c.req.url).origin;
    const now = Date.now();
    if (privacy_mode === "true") {
      if (wallet) fail(400, "privacy_mode binds no requester wallet; leave wallet out", { field: "wallet" });
      await checkProof(c.env, proofHeader(c.req.header("rootzk-proof")), now);
      const a = await resolving(() => resolveName(c.env, { name, wallet: null, origin, now, cache: "read-only" }));
      return sendJson(a.body, privateHeaders);
    }
    const a = await resolving(() => resolveName(c.env, { name, wallet: wallet ?? null, origin, now }));
    // The body was serialised once, when it was cached: sent as is.
    const headers = { "content-type": "application/json", "cache-control": `public, max-age=${a.ttl}`, "x-enc-cache": a.hit ? "hit" : "miss" };
    return sendJson(a.body, headers);
  },
);

resolver.openapi(
  publicRoute({
    method: "post",
    path: "/v1/resolve",
    summary: "Privacy-mode resolution: a rootzk zero-knowledge proof instead of a signature; no record of the requester is kept",
    request: {
      body: { content: { "application/json": { schema: z.object({ name: Name, proof: ZkProofSchema }).strict() } }, required: true },
    },
    responses: { 200: json(ResolvedDomain, "The resolution (not cached anywhere)"), ...problems([400, 401, 404, 410, 422, 501, 502]) },
  }),
  async (c) => {
    const { name, proof } = c.req.valid("json");
    const now = Date.now();
    await checkProof(c.env, proof, now);
    const a = await resolving(() => resolveName(c.env, { name, wallet: null, origin: new URL(c.req.url).origin, now, cache: "read-only" }));
    return sendJson(a.body, privateHeaders);
  },
);
