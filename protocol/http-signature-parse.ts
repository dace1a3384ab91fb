// Parsing and checking the Signature-Input / Signature pair into what verification needs,
// with a specific reason for each way they can be wrong (reasons end up in 401 problems).
import { decodeAddress } from "./address.ts";
import { readHeader, SUPPORTED_DERIVED, type HeaderSource } from "./http-signature-parts.ts";
import { parseDictionary, serializeInnerList, Token, type Member } from "./structured-fields.ts";

export interface ParsedSignature {
  ok: true;
  label: string;
  components: string[];
  params: { created: number; expires?: number; nonce: string; keyid: string };
  publicKey: Uint8Array;
  /** The inner list re-serialized: the value of the @signature-params line. */
  sigParams: string;
  signature: Uint8Array;
}

const MAX_NONCE = 256;
const fail = (reason: string) => ({ ok: false as const, reason });

export function parseSignatureHeaders(headers: HeaderSource, preferred: string): ParsedSignature | { ok: false; reason: string } {
  const inputHeader = readHeader(headers, "signature-input");
  const sigHeader = readHeader(headers, "signature");
  if (inputHeader === undefined) return fail("missing Signature-Input header");
  if (sigHeader === undefined) return fail("missing Signature header");
  let inputs: Map<string, Member>;
  let sigs: Map<string, Member>;
  try {
    inputs = parseDictionary(inputHeader);
  } catch (err) {
    return fail(`malformed Signature-Input header: ${(err as Error).message}`);
  }
  try {
    sigs = parseDictionary(sigHeader);
  } catch (err) {
    return fail(`malformed Signature header: ${(err as Error).message}`);
  }
  // Our own label; a lone signature under another label (generic RFC 9421 clients) is fine too.
  const label = inputs.has(preferred) ? preferred : inputs.size === 1 ? [...inputs.keys()][0] : undefined;
  if (label === undefined) return fail(`Signature-Input has no "${preferred}" signature`);
  const input = inputs.get(label)!;
  const sig = sigs.get(label);
  if (input.kind !== "list") return fail(`malformed Signature-Input header: "${label}" must be an inner list of components`);
  if (!sig) return fail(`Signature header has no "${label}" entry`);
  if (sig.kind !== "item" || !(sig.value instanceof Uint8Array)) return fail(`malformed Signature header: "${label}" must be a byte sequence`);
  if (sig.value.length !== 64) return fail(`Signature must be 64 bytes (Ed25519), got ${sig.value.length}`);

  const components: string[] = [];
  for (const item of input.items) {
    if (typeof item.value !== "string") return fail("malformed Signature-Input header: components must be quoted strings");
    if (item.params.size > 0) return fail(`component parameters are not supported ("${item.value}")`);
    const name = item.value;
    if (name.startsWith("@") && !SUPPORTED_DERIVED.includes(name)) return fail(`unsupported derived component "${name}"`);
    if (!name.startsWith("@") && name !== name.toLowerCase()) return fail(`component "${name}" must be lowercase`);
    if (components.includes(name)) return fail(`component "${name}" is covered twice`);
    components.push(name);
  }

  const p = input.params;
  const alg = p.get("alg");
  if (alg !== undefined && alg !== "ed25519") {
    const shown = alg instanceof Token ? alg.name : String(alg);
    return fail(`unsupported alg "${shown}": only "ed25519" is accepted`);
  }
  const keyid = p.get("keyid");
  if (keyid === undefined) return fail("Signature-Input is missing keyid");
  if (typeof keyid !== "string") return fail("keyid must be a quoted string");
  let publicKey: Uint8Array;
  try {
    publicKey = decodeAddress(keyid);
  } catch (err) {
    return fail(`keyid is not a valid bpi1 address: ${(err as Error).message}`);
  }
  const created = p.get("created");
  if (created === undefined) return fail("Signature-Input is missing created");
  if (!Number.isSafeInteger(created)) return fail("created must be an integer (unix seconds)");
  const expires = p.get("expires");
  if (expires !== undefined && !Number.isSafeInteger(expires)) return fail("expires must be an integer (unix seconds)");
  const nonce = p.get("nonce");
  if (nonce === undefined || nonce === "") return fail("Signature-Input is missing nonce");
  if (typeof nonce !== "string") return fail("nonce must be a quoted string");
  if (nonce.length > MAX_NONCE) return fail(`nonce longer than ${MAX_NONCE} characters`);

  return {
    ok: true,
    label,
    components,
    params: { created: created as number, expires: expires as number | undefined, nonce, keyid },
    publicKey,
    sigParams: serializeInnerList(input),
    signature: sig.value,
  };
}
