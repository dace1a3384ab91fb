// Request authentication (PROTOCOL.md §3): RFC 9421 HTTP Message Signatures with Ed25519 keys
// named by bpi1 addresses, and RFC 9530 Content-Digest.
import { randomBytes, toBase64, toBase64Url, utf8 } from "./bytes.ts";
import type { Signer } from "./ed25519.ts";
import { verifySignature } from "./ed25519.ts";
import { Token, serializeInnerList, type Params } from "./structured-fields.ts";
import { checkDigest, contentDigest, componentValue, readHeader, type HeaderSource } from "./http-signature-parts.ts";
import { parseSignatureHeaders } from "./http-signature-parse.ts";

export { contentDigest } from "./http-signature-parts.ts";

export const SIGNATURE_LABEL = "enc";
export const SIGNATURE_WINDOW_S = 300;

export interface SignRequestOptions {
  method: string;
  url: string;
  body?: Uint8Array | string | null;
  signer: Signer;
  created?: number;
  expires?: number;
  nonce?: string;
}

export interface VerifyRequestOptions {
  method: string;
  url: string;
  headers: HeaderSource;
  body: Uint8Array | null;
  now?: number;
  windowS?: number;
}

export type VerifyRequestResult =
  | { ok: true; keyid: string; created: number; expires?: number; nonce: string }
  | { ok: false; reason: string };

/** RFC 9421 §2.5: one `"name": value` line per component, then the @signature-params line. */
export function signatureBase(components: ReadonlyArray<readonly [string, string]>, signatureParams: string): string {
  const lines = components.map(([name, value]) => `"${name}": ${value}`);
  lines.push(`"@signature-params": ${signatureParams}`);
  return lines.join("\n");
}

const toBytes = (body: Uint8Array | string | null | undefined) =>
  typeof body === "string" ? utf8(body) : (body ?? new Uint8Array(0));

/** Headers to add to the request: signature-input, signature, and content-digest with a body. */
export async function signRequest(opts: SignRequestOptions): Promise<Record<string, string>> {
  const body = toBytes(opts.body);
  const created = opts.created ?? Math.floor(Date.now() / 1000);
  const expires = opts.expires ?? created + SIGNATURE_WINDOW_S;
  const nonce = opts.nonce ?? toBase64Url(randomBytes(16));
  const headers: Record<string, string> = {};
  const names = ["@method", "@target-uri"];
  if (body.length > 0) {
    headers["content-digest"] = contentDigest(body);
    names.push("content-digest");
  }
  const params: Params = new Map<string, string | number | Token>([
    ["created", created], ["expires", expires], ["nonce", nonce], ["keyid", opts.signer.address], ["alg", "ed25519"],
  ]);
  const sigParams = serializeInnerList({ items: names.map((n) => ({ kind: "item", value: n, params: new Map() })), params });
  const components = names.map((n) => [n, componentValue(n, opts.method, opts.url, headers)!] as const);
  const sig = await opts.signer.sign(utf8(signatureBase(components, sigParams)));
  headers["signature-input"] = `${SIGNATURE_LABEL}=${sigParams}`;
  headers["signature"] = `${SIGNATURE_LABEL}=:${toBase64(sig)}:`;
  return headers;
}

const fail = (reason: string): VerifyRequestResult => ({ ok: false, reason });

export async function verifyRequest(opts: VerifyRequestOptions): Promise<VerifyRequestResult> {
  const parsed = parseSignatureHeaders(opts.headers, SIGNATURE_LABEL);
  if (!parsed.ok) return parsed;
  const { label, components, params, sigParams, signature, publicKey } = parsed;
  const { created, expires, nonce, keyid } = params;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const windowS = opts.windowS ?? SIGNATURE_WINDOW_S;
  if (created - now > windowS) return fail(`signature created ${created - now} s in the future; allowed clock skew is ${windowS} s`);
  if (now - created > windowS) return fail(`signature created ${now - created} s ago; signatures are valid for ${windowS} s`);
  if (expires !== undefined && expires < created) return fail("signature expires before it was created");
  if (expires !== undefined && now > expires) return fail(`signature expired ${now - expires} s ago`);
  for (const required of ["@method", "@target-uri"]) {
    if (!components.includes(required)) return fail(`signature must cover "${required}"`);
  }
  const body = opts.body ?? new Uint8Array(0);
  const digestHeader = readHeader(opts.headers, "content-digest");
  if (body.length > 0) {
    if (digestHeader === undefined) return fail("Content-Digest header is required for a request with a body");
    if (!components.includes("content-digest")) return fail(`signature must cover "content-digest" when the request has a body`);
  }
  if (digestHeader !== undefined) {
    const digestError = checkDigest(digestHeader, body);
    if (digestError) return fail(digestError);
  }
  const values: Array<readonly [string, string]> = [];
  for (const name of components) {
    const value = componentValue(name, opts.method, opts.url, opts.headers);
    if (value === undefined) return fail(`covered component "${name}" is missing from the request`);
    values.push([name, value]);
  }
  const base = signatureBase(values, sigParams);
  if (!(await verifySignature(publicKey, utf8(base), signature))) {
    return fail(`signature "${label}" does not verify for keyid ${keyid}`);
  }
  return { ok: true, keyid, created, ...(expires !== undefined ? { expires } : {}), nonce };
}
