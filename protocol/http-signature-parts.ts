// Pieces of RFC 9421 / RFC 9530 shared by signing and verifying: header access, component
// values and Content-Digest.
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesEqual, toBase64 } from "./bytes.ts";
import { parseDictionary } from "./structured-fields.ts";

export type HeaderSource = Headers | Readonly<Record<string, string | undefined>>;

/** Case-insensitive header lookup for both Headers and plain records. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(lower) ?? undefined;
  const rec = headers as Record<string, string | undefined>;
  const found = rec[lower] ?? Object.entries(rec).find(([k]) => k.toLowerCase() === lower)?.[1];
  return found ?? undefined;
}

export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${toBase64(sha256(body))}:`;
}

const DIGESTS: Record<string, (b: Uint8Array) => Uint8Array> = { "sha-256": sha256, "sha-512": sha512 };

/** Null when the Content-Digest header matches the body, else why not. */
export function checkDigest(header: string, body: Uint8Array): string | null {
  let dict;
  try {
    dict = parseDictionary(header);
  } catch (err) {
    return `malformed Content-Digest header: ${(err as Error).message}`;
  }
  let checked = 0;
  for (const [alg, fn] of Object.entries(DIGESTS)) {
    const m = dict.get(alg);
    if (!m) continue;
    if (m.kind !== "item" || !(m.value instanceof Uint8Array)) return `malformed Content-Digest header: ${alg} is not a byte sequence`;
    if (!bytesEqual(m.value, fn(body))) return `Content-Digest ${alg} does not match the request body`;
    checked++;
  }
  return checked > 0 ? null : "Content-Digest has no supported algorithm (sha-256 or sha-512)";
}

/**
 * Value of a covered component (RFC 9421 §2.1, §2.2), or undefined when the request lacks it.
 * @target-uri is the URL exactly as given: signer and verifier must agree on it.
 */
export function componentValue(name: string, method: string, url: string, headers: HeaderSource): string | undefined {
  if (!name.startsWith("@")) return readHeader(headers, name)?.trim();
  if (name === "@method") return method.toUpperCase();
  if (name === "@target-uri") return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  switch (name) {
    case "@authority":
      return u.host.toLowerCase();
    case "@scheme":
      return u.protocol.slice(0, -1).toLowerCase();
    case "@path":
      return u.pathname || "/";
    case "@query":
      return u.search || "?";
    case "@request-target":
      return (u.pathname || "/") + u.search;
    default:
      return undefined;
  }
}

export const SUPPORTED_DERIVED = ["@method", "@target-uri", "@authority", "@scheme", "@path", "@query", "@request-target"];
