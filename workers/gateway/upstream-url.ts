/**
 * The URL a proxied request goes to: the replica's origin plus the caller's path, never a URL
 * the caller's path can redirect elsewhere. Resolving the path against the endpoint would let
 * `/services/web/http://127.0.0.1:8080/` (or `//host/`) name any origin, so the path is
 * appended to the origin as an opaque string and the result must keep that origin.
 */
export function upstreamUrl(endpoint: string, path: string): URL | null {
  let base: URL;
  try {
    base = new URL(endpoint);
  } catch {
    return null;
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") return null;
  if (base.username || base.password) return null;
  const prefix = base.pathname.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(`${base.origin}${prefix}/${path.replace(/^\/+/, "")}`);
  } catch {
    return null;
  }
  return url.origin === base.origin ? url : null;
}
