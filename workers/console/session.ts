// The console's principal: a session cookie bound to a wallet. Every read and every action then
// calls the same ClusterDO methods as the signed API with that wallet as the actor, so the DO's
// role check (in the transaction that makes a change) decides, exactly as for a signed request.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { fail } from "../../domain/problem.ts";
import { csrfToken, originAllowed, parseCookieValue, sameText, sessionIdHash, SESSION_COOKIE } from "../../domain/console/session.ts";
import type { AppVariables } from "../env.ts";

export interface ConsoleSession {
  address: string;
  idHash: string;
  csrf: string;
  clusters: string[];
  expiresAt: number;
}

export type ConsoleEnv = { Bindings: Env; Variables: AppVariables & { session?: ConsoleSession } };

/** The NonceDO that holds a wallet's console sessions and login nonces. */
export const sessionStore = (env: Env, address: string) => env.NONCES.get(env.NONCES.idFromName(`console:${address}`));

/** The live session of the request's cookie, checked against its store (revoked or expired: none). */
export async function loadSession(c: Context<ConsoleEnv>): Promise<ConsoleSession | undefined> {
  const parsed = parseCookieValue(getCookie(c, SESSION_COOKIE));
  if (!parsed) return undefined;
  const idHash = await sessionIdHash(parsed.secret);
  const rec = await sessionStore(c.env, parsed.address).session(idHash);
  if (!rec) return undefined;
  return { address: parsed.address, idHash, csrf: await csrfToken(parsed.secret), clusters: rec.clusters, expiresAt: rec.expires_at };
}

/** For actions: a live session, the console's own Origin and the session's CSRF token, or a problem. */
export async function requireAction(c: Context<ConsoleEnv>, csrf: unknown): Promise<ConsoleSession> {
  const session = await loadSession(c);
  if (!session) fail(401, "no valid console session: sign in with `enc console`", { field: "cookie", code: "console-session" });
  if (!originAllowed(c.req.raw.headers, new URL(c.req.url).origin)) {
    fail(403, "origin: this action did not come from the console's own pages", { field: "origin", code: "console-origin" });
  }
  if (typeof csrf !== "string" || !sameText(csrf, session.csrf)) {
    fail(403, "csrf: the form's token is missing or not this session's; reload the page", { field: "csrf", code: "console-csrf" });
  }
  c.set("actor", session.address);
  return session;
}

/** The audit trail's note that an action came through a console session (the actor is the wallet). */
export const viaConsole = (s: ConsoleSession) => ({ via: "console", console_session: s.idHash.slice(0, 16) });
