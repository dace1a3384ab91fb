import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { publicRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { mldsaSyncSigner, syncSigner } from "../../durable-objects/shared/sync-signer.ts";
import { mldsaPublicKeyToText } from "../../protocol/mldsa.ts";
import { PublicKeys } from "../../protocol/api/common.ts";
import { json } from "../lib/openapi.ts";
// The package's version (bundled, read no file at run time): what `enc version` reports as the server's.
import pkg from "../../package.json" with { type: "json" };

export const meta = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

meta.openapi(
  publicRoute({
    method: "get",
    path: "/v1/health",
    summary: "Liveness and the server's version",
    responses: { 200: json(z.object({ status: z.literal("ok"), version: z.string() }), "Up") },
  }),
  (c) => c.json({ status: "ok" as const, version: pkg.version }, 200),
);

meta.openapi(
  publicRoute({
    method: "get",
    path: "/v1/keys",
    summary: "The control-plane and notary addresses every verifier needs",
    responses: { 200: json(PublicKeys, "Public keys") },
  }),
  (c) => {
    c.header("cache-control", "public, max-age=300");
    return c.json(
      {
        control_plane: syncSigner(c.env.CONTROL_PLANE_KEY, "CONTROL_PLANE_KEY").address,
        notary: syncSigner(c.env.NOTARY_KEY, "NOTARY_KEY").address,
        // A deployment without the ML-DSA-65 secrets still serves its Ed25519 keys (and cannot co-sign).
        ...(c.env.CONTROL_PLANE_MLDSA_KEY ? { control_plane_mldsa: mldsaPublicKeyToText(mldsaSyncSigner(c.env.CONTROL_PLANE_MLDSA_KEY, "CONTROL_PLANE_MLDSA_KEY").publicKey) } : {}),
        ...(c.env.NOTARY_MLDSA_KEY ? { notary_mldsa: mldsaPublicKeyToText(mldsaSyncSigner(c.env.NOTARY_MLDSA_KEY, "NOTARY_MLDSA_KEY").publicKey) } : {}),
      },
      200,
    );
  },
);
