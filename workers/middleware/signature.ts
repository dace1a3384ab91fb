import type { MiddlewareHandler } from "hono";
import { verifyRequest } from "../../protocol/http-signature.ts";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";

const WINDOW_S = 300;
const MAX_BODY_BYTES = 1 << 20;

export interface SignatureOptions {
  /** Clock override for tests (unix seconds). */
  now?: () => number;
}

/**
 * RFC 9421 request signatures: verifies the signature, the RFC 9530 digest, the time window
 * and replay (the signer's NonceDO), then exposes the signer's address as `actor`.
 */
export const signature = (options: SignatureOptions = {}): MiddlewareHandler<AppEnv> =>
  async function signature(c, next) {
    if (!c.req.header("signature") || !c.req.header("signature-input")) {
      fail(401, "this request must be signed (RFC 9421 Signature and Signature-Input headers)", { code: "signature-missing" });
    }
    const raw = c.req.raw.body ? new Uint8Array(await c.req.arrayBuffer()) : null;
    if (raw && raw.byteLength > MAX_BODY_BYTES) fail(413, `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    const now = options.now?.() ?? Math.floor(Date.now() / 1000);
    const v = await verifyRequest({
      method: c.req.method,
      url: c.req.url,
      headers: c.req.raw.headers,
      body: raw && raw.byteLength > 0 ? raw : null,
      now,
      windowS: WINDOW_S,
    });
    if (!v.ok) fail(401, v.reason, { code: "signature-invalid" });
    const nonces = c.env.NONCES.get(c.env.NONCES.idFromName(v.keyid));
    const fresh = await nonces.use(v.nonce, (v.created + WINDOW_S + 60) * 1000);
    if (!fresh) fail(401, "this nonce was already used: the request is a replay", { code: "signature-replayed" });
    c.set("actor", v.keyid);
    await next();
  };
