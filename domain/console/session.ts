// The web console's sign-in and session rules, as plain functions (the Worker wires them to the
// NonceDO and to Hono): login-token checks, the session cookie, CSRF tokens and the Origin check.
import { ConsoleLoginToken, CONSOLE_LOGIN_TTL_MS, decodeConsoleLogin, verifyConsoleLogin } from "../../protocol/api/console.ts";
import { fromBase64Url, toBase64Url, toHex, utf8 } from "../../protocol/bytes.ts";
import { isAddress } from "../../protocol/address.ts";
import { err, ok, type Result } from "../result.ts";

/** How long a session lasts after sign-in (no sliding renewal: sign in again with `enc console`). */
export const SESSION_TTL_MS = 8 * 3_600_000;
/** Clock skew tolerated on a token's issued_at. */
const SKEW_MS = 5_000;
export const SESSION_COOKIE = "enc_console";

export interface LoginCheck {
  /** the console's own origin: the token must name it */
  origin: string;
  now: number;
}

/**
 * A login token from the URL, checked but not yet used: well formed (a problem naming the field
 * otherwise), for this console, signed by its address, issued at most 60 s before it expires,
 * and not expired. Single use is the caller's (the wallet's NonceDO).
 */
export async function checkLoginToken(text: string | undefined, at: LoginCheck): Promise<Result<ConsoleLoginToken>> {
  if (!text) return err(400, "token: missing; run `enc console` for a sign-in link", { field: "token" });
  const raw = decodeConsoleLogin(text);
  if (raw === undefined) return err(400, "token: not a login token (base64url JSON)", { field: "token" });
  const parsed = ConsoleLoginToken.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["token", ...issue.path.map(String)].join(".");
    return err(400, `${field}: ${issue.message}`, { field });
  }
  const t = parsed.data;
  if (t.origin !== at.origin) return err(401, `token.origin: this link is for ${t.origin}, not ${at.origin}`, { field: "token.origin" });
  const issued = Date.parse(t.issued_at);
  const expires = Date.parse(t.expires_at);
  if (expires - issued > CONSOLE_LOGIN_TTL_MS || expires <= issued) {
    return err(401, `token.expires_at: a login token lives at most ${CONSOLE_LOGIN_TTL_MS / 1000} s`, { field: "token.expires_at" });
  }
  if (issued > at.now + SKEW_MS) return err(401, "token.issued_at: in the future", { field: "token.issued_at" });
  if (expires <= at.now) return err(401, "token.expires_at: this sign-in link has expired; run `enc console` again", { field: "token.expires_at", code: "login-expired" });
  const v = await verifyConsoleLogin(t);
  if (!v.ok) return err(401, `token.sig: ${v.reason}`, { field: "token.sig" });
  return ok(t);
}

/** A new session secret (32 random bytes, base64url): it lives only in the cookie. */
export function newSessionSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

async function sha256Hex(domain: string, secret: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(`${domain}\n${secret}`))));
}

/** What the NonceDO stores: the secret's hash, never the secret. */
export const sessionIdHash = (secret: string) => sha256Hex("enc/console-session/v1", secret);

/**
 * The session's CSRF token: derived from the secret, which script cannot read (HttpOnly), so a
 * page of another origin cannot know it. Put in every form; compared in constant time.
 */
export const csrfToken = (secret: string) => sha256Hex("enc/console-csrf/v1", secret);

export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Secure cookies everywhere but plain-http loopback (wrangler dev, tests). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]" || hostname === "::1";
}

/** The cookie's value: the wallet (which NonceDO holds the session) and the secret. */
export const cookieValue = (address: string, secret: string) => `${address}.${secret}`;

export function parseCookieValue(value: string | undefined): { address: string; secret: string } | undefined {
  const m = value ? /^(bpi1[0-9a-z]{58})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  if (!m || !isAddress(m[1])) return undefined;
  try {
    if (fromBase64Url(m[2]!).length !== 32) return undefined;
  } catch {
    return undefined;
  }
  return { address: m[1]!, secret: m[2]! };
}

/** Set-Cookie for a session: HttpOnly, SameSite=Strict, path /console, Secure unless loopback http. */
export function sessionSetCookie(value: string, url: URL, maxAgeS: number): string {
  const secure = !(url.protocol === "http:" && isLoopbackHost(url.hostname));
  return `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? "; Secure" : ""}`;
}

/**
 * The Origin check of every action: the browser's Origin must be the console's own. A request
 * without one (old browsers, some privacy modes) falls back to Sec-Fetch-Site; neither is refused.
 */
export function originAllowed(headers: Headers, selfOrigin: string): boolean {
  const origin = headers.get("origin");
  if (origin) return origin === selfOrigin;
  return headers.get("sec-fetch-site") === "same-origin";
}
