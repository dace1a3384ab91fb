// The web console's sign-in: `enc console` signs a one-time login token with the user's wallet;
// the Worker exchanges it, once, for a session cookie bound to that wallet. Plain zod, shared by
// the CLI (which signs) and the Worker (which verifies).
import { z } from "zod";
import { canonicalBytes } from "../jcs.ts";
import { fromBase64Url, toBase64Url, fromUtf8 } from "../bytes.ts";
import type { Signer } from "../ed25519.ts";
import { computeHash, signHash, verifySigned, type VerifyResult } from "../signing.ts";
import { address, isoTime, sigText } from "../schemas.ts";
import { ClusterName } from "./common.ts";

/** Signing domain: a login token's signature can never pass for a receipt, block or request. */
export const CONSOLE_LOGIN_DOMAIN = "enc/console-login/v1";
/** Where the token is exchanged (`?token=`): not an API path, so not in routes.ts. */
export const CONSOLE_LOGIN_PATH = "/console/login";
/** A token lives at most this long: long enough to open a browser, short enough to be useless later. */
export const CONSOLE_LOGIN_TTL_MS = 60_000;

/**
 * A one-time console login, signed by `address` (Ed25519 over BLAKE3(JCS(all fields but sig)),
 * domain CONSOLE_LOGIN_DOMAIN). `origin` binds it to one console, `nonce` makes it single use,
 * `clusters` names the clusters the console lists first (roles are still checked per request).
 */
export const ConsoleLoginToken = z
  .object({
    v: z.literal(1),
    purpose: z.literal("console-login"),
    origin: z.string().max(2048).regex(/^https?:\/\/[^/?#]+$/, "an origin: scheme://host[:port]"),
    address,
    nonce: z.string().regex(/^[0-9a-f]{32}$/, "32 lowercase hex"),
    issued_at: isoTime,
    expires_at: isoTime,
    clusters: z.array(ClusterName).max(32),
    sig: sigText,
  })
  .strict()
  .meta({ id: "ConsoleLoginToken" });
export type ConsoleLoginToken = z.infer<typeof ConsoleLoginToken>;

export async function signConsoleLogin(body: Omit<ConsoleLoginToken, "sig" | "address">, signer: Signer): Promise<ConsoleLoginToken> {
  const full = { ...body, address: signer.address };
  return { ...full, sig: await signHash(CONSOLE_LOGIN_DOMAIN, computeHash(full, ["sig"]), signer) };
}

/** Checks the signature only (format, expiry and single use are the Worker's). */
export function verifyConsoleLogin(token: unknown): Promise<VerifyResult> {
  const addr = typeof token === "object" && token !== null ? (token as Record<string, unknown>).address : undefined;
  return verifySigned(token, { domain: CONSOLE_LOGIN_DOMAIN, what: "login token", sigField: "sig", address: addr, addressName: "address" });
}

/** The URL form: base64url of the token's canonical JSON. */
export const encodeConsoleLogin = (t: ConsoleLoginToken): string => toBase64Url(canonicalBytes(t));

/** The token's JSON, or undefined if the text is not base64url JSON. */
export function decodeConsoleLogin(text: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(text)) return undefined;
  try {
    return JSON.parse(fromUtf8(fromBase64Url(text)));
  } catch {
    return undefined;
  }
}
