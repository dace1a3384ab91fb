// ENC_URL and context URLs as people type them: "enc.example.com" means https, "localhost:8787"
// (or a loopback address) means http; anything that is not an http(s) origin is refused by name.
import { usageError } from "./errors.ts";

const LOCAL = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?(?:\/|$)/i;

export function normalizeUrl(raw: string, source: string): string {
  const text = raw.trim();
  let withScheme = text;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) withScheme = (LOCAL.test(text) ? "http://" : "https://") + text;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw usageError("bad_url", `${source} ${JSON.stringify(raw)} is not a URL`, "e.g. https://enc.example.com or http://127.0.0.1:8787");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw usageError("bad_url", `${source} ${JSON.stringify(raw)} uses ${u.protocol.slice(0, -1)}; the control plane speaks http or https`);
  }
  if (u.search || u.hash || u.username) throw usageError("bad_url", `${source} ${JSON.stringify(raw)} must be a plain origin (and path), without query, fragment or credentials`);
  return u.href.replace(/\/+$/, "");
}
