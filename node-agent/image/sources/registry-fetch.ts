// Registry requests follow redirects by hand: a registry (or a CDN it hands blobs to) must not
// steer the agent onto plain HTTP off the machine, loop it, or collect its pull token.
import { ImageError } from "../errors.ts";
import { isLoopbackHost } from "../reference.ts";

/** Redirects followed per request (a blob commonly takes one, to its CDN). */
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** https anywhere, plain http only to a loopback host: the rule for the first URL, held for every hop. */
export function checkTransport(url: URL, where: string): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && isLoopbackHost(url.host)) return;
  throw new ImageError("insecure_registry", `${where}: ${url.origin} is not https (plain http is for loopback registries only)`);
}

/**
 * GET `url`, following up to MAX_REDIRECTS redirects, each checked like the first URL. The
 * Authorization header goes only to the origin it was meant for: once a redirect leaves that
 * origin it is dropped for the rest of the chain (a CDN needs none; its URL carries its own grant).
 */
export async function registryFetch(url: string | URL, init: { headers?: Record<string, string>; signal?: AbortSignal }, fetchImpl: typeof fetch, where: string): Promise<Response> {
  let current = new URL(url);
  const origin = current.origin;
  const headers = { ...init.headers };
  for (let hop = 0; ; hop++) {
    checkTransport(current, where);
    if (current.origin !== origin) delete headers.authorization;
    const res = await fetchImpl(current, { headers, signal: init.signal, redirect: "manual" });
    if (!REDIRECTS.has(res.status)) return res;
    await res.body?.cancel();
    const location = res.headers.get("location");
    if (!location) throw new ImageError("registry", `${where}: HTTP ${res.status} redirect without a Location`);
    if (hop >= MAX_REDIRECTS) throw new ImageError("registry", `${where}: more than ${MAX_REDIRECTS} redirects`);
    try {
      current = new URL(location, current);
    } catch {
      throw new ImageError("registry", `${where}: bad redirect Location ${JSON.stringify(location)}`);
    }
  }
}
