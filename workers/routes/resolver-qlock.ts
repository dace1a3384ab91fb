// POST /v1/resolve/qlock/verify: checks a QLOCK session binding (domain/resolver/QLOCK.md) for a
// gateway that does not hold QLOCK_KEY itself. It answers valid or not, and can never mint one.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { publicRoute } from "../lib/route.ts";
import { validationHook } from "../lib/validation.ts";
import { Address } from "../../protocol/api/common.ts";
import { json } from "../lib/openapi.ts";
import { isResolveError, parseHttpcgName, qlockVerify } from "../../domain/resolver/index.ts";
import { qlockKey } from "./resolver-config.ts";

export const resolverQlock = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const VerifyBody = z
  .object({
    token: z.string().max(200).openapi({ example: "qlock1:…" }),
    name: z
      .string()
      .max(4096)
      .superRefine((n, ctx) => {
        try {
          parseHttpcgName(n);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: isResolveError(e) ? e.detail : "not an httpcg name" });
        }
      })
      .openapi({ example: "httpcg://app.example.com/api" }),
    wallet: Address.nullable().default(null),
  })
  .strict();

resolverQlock.openapi(
  publicRoute({
    method: "post",
    path: "/v1/resolve/qlock/verify",
    summary: "Verify a QLOCK session binding for (wallet, host, path) in the current window ± 1",
    request: { body: { content: { "application/json": { schema: VerifyBody } }, required: true } },
    responses: { 200: json(z.object({ valid: z.boolean(), wallet: Address.nullable(), host: z.string(), path: z.string() }), "The verdict") },
  }),
  (c) => {
    const { token, name, wallet } = c.req.valid("json");
    const n = parseHttpcgName(name);
    const valid = qlockVerify(qlockKey(c.env), token, { wallet, host: n.authority, path: n.path, now: Date.now() });
    c.header("cache-control", "no-store");
    return c.json({ valid, wallet, host: n.authority, path: n.path }, 200);
  },
);
