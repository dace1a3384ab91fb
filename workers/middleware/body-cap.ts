import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { readStreamCapped } from "../../domain/capped-stream.ts";
import { fail } from "../../domain/problem.ts";

/** Every API body is small: signed writes, receipts, log batches (signature.ts checks the same). */
export const API_BODY_MAX = 1 << 20;
/** Proxied request bodies are buffered so a retry can resend them; this bounds that buffer. */
export const GATEWAY_BODY_MAX = 8 << 20;

const tooLarge = (max: number): never => fail(413, `request bodies are limited to ${max} bytes`, { field: "body" });

/**
 * Caps a request body before anything reads it: a declared Content-Length over the cap is
 * answered 413 unread, and an undeclared (chunked) body is read only up to the cap, then the
 * stream is cancelled. Downstream readers see the buffered body.
 */
export const bodyCap =
  (max: number): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = raw.headers.get("content-length");
    if (declared !== null && !raw.headers.has("transfer-encoding")) {
      const n = Number(declared);
      if (!Number.isSafeInteger(n) || n < 0) fail(400, "content-length is not a byte count", { field: "content-length" });
      if (n > max) tooLarge(max);
    }
    const body = await readStreamCapped(raw.body, max);
    if (body === null) tooLarge(max);
    c.req.raw = new Request(raw, { body });
    await next();
  };

/** The gateway's paths get its own cap (gateway.ts); everything else the API cap. */
const GATEWAY_PATH = /^\/v1\/clusters\/[^/]+\/services\//;
const apiCap = bodyCap(API_BODY_MAX);
export const apiBodyCap: MiddlewareHandler<AppEnv> = (c, next) => (GATEWAY_PATH.test(c.req.path) ? next() : apiCap(c, next));
