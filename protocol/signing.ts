// Generic signed-object rules (PROTOCOL.md §2): hash = BLAKE3(JCS(body)),
// signature = Ed25519(UTF8(domain) || 0x0A || raw hash).
import { decodeAddress } from "./address.ts";
import { concatBytes, fromHex, toHex, utf8 } from "./bytes.ts";
import { verifySignature, type Signer } from "./ed25519.ts";
import { blake3, hashCanonical, hashToText, isHashText, textToHash } from "./hash.ts";
import { canonicalBytes, canonicalizeWithBody } from "./jcs.ts";
import { isMldsaSigText, mldsaSigToText, mldsaVerify, textToMldsaSig, type MldsaSigner, type MldsaSyncSigner } from "./mldsa.ts";
import type { SyncSigner } from "./sync-signer.ts";

export const DOMAINS = {
  stepReceipt: "enc/step-receipt/v1",
  logBlock: "enc/log-block/v1",
  auditEntry: "enc/audit-entry/v1",
  desiredState: "enc/desired-state/v1",
  chainHead: "enc/chain-head/v1",
} as const;
export type Domain = (typeof DOMAINS)[keyof typeof DOMAINS];

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export const SIG_PREFIX = "ed25519:";
export const SIG_TEXT_RE = /^ed25519:[0-9a-f]{128}$/;

export function sigToText(sig: Uint8Array): string {
  if (sig.length !== 64) throw new Error(`Ed25519 signature must be 64 bytes, got ${sig.length}`);
  return SIG_PREFIX + toHex(sig);
}

export function isSigText(s: unknown): s is string {
  return typeof s === "string" && SIG_TEXT_RE.test(s);
}

export function textToSig(s: string): Uint8Array {
  if (!isSigText(s)) throw new Error("not a signature: expected ed25519:<128 lowercase hex>");
  return fromHex(s.slice(SIG_PREFIX.length));
}

// UTF8(domain) || 0x0A per domain, built once (signing inputs are made per verified receipt).
const prefixes = new Map<string, Uint8Array>();

function domainPrefix(domain: string): Uint8Array {
  let prefix = prefixes.get(domain);
  if (!prefix) {
    prefix = concatBytes(utf8(domain), Uint8Array.of(0x0a));
    if (prefixes.size < 64) prefixes.set(domain, prefix);
  }
  return prefix;
}

export function signingInput(domain: string, hashText: string): Uint8Array {
  return concatBytes(domainPrefix(domain), textToHash(hashText));
}

/**
 * Hash of every field of `obj` except `omitFields` and `sig_…` members. Verifiers must use this on
 * what they received, so optional and future fields stay covered.
 */
export function computeHash(obj: Readonly<Record<string, unknown>>, omitFields: readonly string[]): string {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new TypeError("signed object must be a JSON object");
  return hashCanonical(bodyOf(obj, omitFields));
}

function bodyOf(obj: Readonly<Record<string, unknown>>, omitFields: readonly string[]): Record<string, unknown> {
  // Null prototype: a received "__proto__" key stays an ordinary, hashed field.
  const body: Record<string, unknown> = Object.create(null);
  // 1.1 (PROTOCOL.md §2, §12): every `sig_…` member is a signature, outside the body, so new
  // co-signatures (sig_notary_mldsa, sig_mldsa) join an object without changing its hash.
  for (const key of Object.keys(obj)) if (!omitFields.includes(key) && !key.startsWith("sig_")) body[key] = obj[key];
  return body;
}

export async function signHash(domain: string, hashText: string, signer: Signer): Promise<string> {
  return sigToText(await signer.sign(signingInput(domain, hashText)));
}

export function signHashSync(domain: string, hashText: string, signer: SyncSigner): string {
  return sigToText(signer.sign(signingInput(domain, hashText)));
}

/** ML-DSA-65 co-signature (PROTOCOL.md §15) over the same signing input as the Ed25519 one. */
export async function signHashMldsa(domain: string, hashText: string, signer: MldsaSigner): Promise<string> {
  return mldsaSigToText(await signer.sign(signingInput(domain, hashText)));
}

export function signHashMldsaSync(domain: string, hashText: string, signer: MldsaSyncSigner): string {
  return mldsaSigToText(signer.sign(signingInput(domain, hashText)));
}

/**
 * Checks an object's ML-DSA-65 co-signature in `sigField` by `publicKey`, over the hash of every
 * field but `omit` (the Ed25519 checks, verifySigned, cover the hash field and the Ed25519 one).
 */
export async function verifyCoSigned(
  obj: unknown,
  opts: { domain: string; what: string; omit: readonly string[]; sigField: string; publicKey: Uint8Array; keyName: string },
): Promise<VerifyResult> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return fail(`${opts.what} must be a JSON object`);
  const rec = obj as Record<string, unknown>;
  const sig = rec[opts.sigField];
  if (sig === undefined) return fail(`${opts.what} has no ${opts.sigField} (ML-DSA-65 co-signature)`);
  if (!isMldsaSigText(sig)) return fail(`${opts.what} ${opts.sigField} is not ml-dsa-65:<base64 of 3,309 bytes>`);
  let hash: string;
  try {
    hash = computeHash(rec, opts.omit);
  } catch (err) {
    return fail(`${opts.what} cannot be canonicalized: ${(err as Error).message}`);
  }
  const ok = await mldsaVerify(opts.publicKey, signingInput(opts.domain, hash), textToMldsaSig(sig));
  if (!ok) return fail(`${opts.what} ML-DSA-65 co-signature ${opts.sigField} does not verify for ${opts.keyName} (domain ${opts.domain})`);
  return { ok: true };
}

/** Checks field formats, that the hash matches the body, then the signature by `address`. */
export async function verifySigned(
  obj: unknown,
  opts: { domain: string; what: string; hashField?: string; sigField: string; address: unknown; addressName: string; alsoOmit?: readonly string[] },
): Promise<VerifyResult> {
  const res = await verifySignedWhole(obj, opts, false);
  return res.ok ? { ok: true } : res;
}

/**
 * verifySigned that also answers the JCS of the whole object (`whole`), built in the same pass as
 * the body's: a notary stores each receipt as its C2SP log entry (PROTOCOL.md §13.1) at no cost.
 */
export async function verifySignedWhole(
  obj: unknown,
  opts: { domain: string; what: string; hashField?: string; sigField: string; address: unknown; addressName: string; alsoOmit?: readonly string[] },
  wantWhole = true,
): Promise<{ ok: true; whole: string } | { ok: false; reason: string }> {
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return fail(`${opts.what} must be a JSON object`);
  const rec = obj as Record<string, unknown>;
  // Co-signature fields (alsoOmit) sit outside the hash like the signature itself.
  const omit = [...(opts.hashField ? [opts.hashField, opts.sigField] : [opts.sigField]), ...(opts.alsoOmit ?? [])];
  const sig = rec[opts.sigField];
  if (sig === undefined) return fail(`${opts.what} has no ${opts.sigField}`);
  if (!isSigText(sig)) return fail(`${opts.what} ${opts.sigField} is not ed25519:<128 lowercase hex>`);
  if (typeof opts.address !== "string") return fail(`${opts.what} ${opts.addressName} is missing`);
  let publicKey: Uint8Array;
  try {
    publicKey = decodeAddress(opts.address);
  } catch (err) {
    return fail(`${opts.what} ${opts.addressName} is not a valid address: ${(err as Error).message}`);
  }
  // The raw hash signs; its text only compares with the claimed one (no hex parsed back).
  let raw: Uint8Array;
  let whole = "";
  try {
    if (wantWhole) {
      const texts = canonicalizeWithBody(rec, (key) => omit.includes(key) || key.startsWith("sig_"));
      raw = blake3(utf8(texts.body));
      whole = texts.whole;
    } else {
      raw = blake3(canonicalBytes(bodyOf(rec, omit)));
    }
  } catch (err) {
    return fail(`${opts.what} cannot be canonicalized: ${(err as Error).message}`);
  }
  const hash = hashToText(raw);
  if (opts.hashField) {
    const claimed = rec[opts.hashField];
    if (!isHashText(claimed)) return fail(`${opts.what} ${opts.hashField} is not blake3:<64 lowercase hex>`);
    if (claimed !== hash) return fail(`${opts.what} ${opts.hashField} does not match its body (body hashes to ${hash})`);
  }
  const ok = await verifySignature(publicKey, concatBytes(domainPrefix(opts.domain), raw), fromHex((sig as string).slice(SIG_PREFIX.length)));
  if (!ok) return fail(`${opts.what} signature does not verify for ${opts.addressName} ${opts.address} (domain ${opts.domain})`);
  return { ok: true, whole };
}

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}
