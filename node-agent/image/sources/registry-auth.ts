// Anonymous token auth of the distribution spec: a 401 with `WWW-Authenticate: Bearer realm=…,
// service=…, scope=…` is answered by fetching a pull token from the realm. Registries that want a
// username and password (Basic, or a token endpoint that refuses us) are refused with code "auth":
// the agent holds no registry credentials.
import { ImageError } from "../errors.ts";
import { checkTransport, registryFetch } from "./registry-fetch.ts";

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
  }
  return { scheme, params };
}

/** Fetches an anonymous bearer token for `repository` from the challenge's realm. */
export async function fetchBearerToken(challenge: Challenge, repository: string, fetchImpl: typeof fetch): Promise<string> {
  const where = `registry auth for ${repository}`;
  if (challenge.scheme !== "bearer") {
    throw new ImageError("auth", `${where}: registry requires ${challenge.scheme} credentials; the agent pulls anonymously only`);
  }
  const realm = challenge.params.realm;
  if (!realm) throw new ImageError("auth", `${where}: bearer challenge without a realm`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new ImageError("auth", `${where}: bad token realm ${JSON.stringify(realm)}`);
  }
  checkTransport(url, `${where}: token realm`);
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  url.searchParams.set("scope", challenge.params.scope ?? `repository:${repository}:pull`);
  let res: Response;
  try {
    res = await registryFetch(url, { signal: AbortSignal.timeout(30_000) }, fetchImpl, `${where}: token request`);
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError("registry", `${where}: token request to ${url.origin} failed: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 401 || res.status === 403) throw new ImageError("auth", `${where}: token endpoint refused anonymous access (HTTP ${res.status}); credentials are not supported`);
  if (!res.ok) throw new ImageError("registry", `${where}: token endpoint answered HTTP ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : undefined;
  if (!token) throw new ImageError("auth", `${where}: token endpoint returned no token`);
  return token;
}
