// The three signed object types of PROTOCOL.md §2. Verifiers hash exactly what they received
// (all fields but the hash/sig ones) and never rebuild an object from a fixed field list.
import type { Signer } from "./ed25519.ts";
import type { AuditEntry, AuditEntryFields, LogBlock, LogBlockFields, StepReceipt, StepReceiptFields } from "./schemas.ts";
import type { MldsaSigner, MldsaSyncSigner } from "./mldsa.ts";
import { DOMAINS, computeHash, signHash, signHashMldsa, signHashMldsaSync, signHashSync, verifyCoSigned, verifySigned, verifySignedWhole, type VerifyResult } from "./signing.ts";
import type { SyncSigner } from "./sync-signer.ts";
import { canonicalMembers } from "./jcs.ts";
import { blake3, hashToText } from "./hash.ts";
import { utf8View } from "./bytes.ts";

export * from "./signing.ts";

type Loose = Readonly<Record<string, unknown>>;
// Known fields are type-checked; further (future) fields are allowed and get signed too.
type Extra = { [field: string]: unknown };
// Signing functions tolerate stale hash/sig fields on the input: they are dropped and recomputed.
function without<T extends Loose>(obj: T, fields: readonly string[]): T {
  const copy: Record<string, unknown> = { ...obj };
  for (const f of fields) delete copy[f];
  return copy as T;
}

const RECEIPT_OMIT = ["hash", "sig"] as const;
// The ML-DSA-65 co-signatures (PROTOCOL.md §15) are outside the hash, like the Ed25519 signature.
const AUDIT_OMIT = ["hash", "sig", "sig_mldsa"] as const;
const BLOCK_OMIT = ["sig_notary", "sig_notary_mldsa"] as const;

// ---- StepReceipt: signed by the node key named in `node`.

export function hashReceipt(r: Loose): string {
  return computeHash(r, RECEIPT_OMIT);
}

/** `node` defaults to the signer; a different `node` would never verify, so it throws. */
export async function signReceipt(
  body: Omit<StepReceiptFields, "node"> & { node?: string } & Extra,
  signer: Signer,
): Promise<StepReceipt> {
  if (body.node !== undefined && body.node !== signer.address) {
    throw new Error(`receipt node ${body.node} is not the signer ${signer.address}`);
  }
  const full = without({ ...body, node: signer.address }, RECEIPT_OMIT);
  const hash = hashReceipt(full);
  return { ...full, hash, sig: await signHash(DOMAINS.stepReceipt, hash, signer) } as StepReceipt;
}

export function verifyReceipt(r: unknown): Promise<VerifyResult> {
  const node = isObj(r) ? r.node : undefined;
  return verifySigned(r, { domain: DOMAINS.stepReceipt, what: "receipt", hashField: "hash", sigField: "sig", address: node, addressName: "node" });
}

/** verifyReceipt that also answers `entry`, the receipt's JCS: its C2SP log entry (PROTOCOL.md §13.1). */
export async function verifyReceiptEntry(r: unknown): Promise<{ ok: true; entry: string } | { ok: false; reason: string }> {
  const node = isObj(r) ? r.node : undefined;
  const res = await verifySignedWhole(r, { domain: DOMAINS.stepReceipt, what: "receipt", hashField: "hash", sigField: "sig", address: node, addressName: "node" });
  return res.ok ? { ok: true, entry: res.whole } : res;
}

// ---- AuditEntry: signed by the control-plane key (GET /v1/keys).

export function hashAuditEntry(e: Loose): string {
  return computeHash(e, AUDIT_OMIT);
}

type AuditInput = AuditEntryFields & Extra;

function auditBody(body: AuditInput) {
  const full = without(body, AUDIT_OMIT);
  return { full, hash: hashAuditEntry(full) };
}

/** With `mldsa`, also co-signs (`sig_mldsa`, PROTOCOL.md §15). */
export async function signAuditEntry(body: AuditInput, signer: Signer, mldsa?: MldsaSigner): Promise<AuditEntry> {
  const { full, hash } = auditBody(body);
  const entry = { ...full, hash, sig: await signHash(DOMAINS.auditEntry, hash, signer) } as AuditEntry;
  return mldsa ? { ...entry, sig_mldsa: await signHashMldsa(DOMAINS.auditEntry, hash, mldsa) } : entry;
}

/** For a Durable Object's synchronous transaction (see sync-signer.ts). */
export function signAuditEntrySync(body: AuditInput, signer: SyncSigner, mldsa?: MldsaSyncSigner): AuditEntry {
  const { full, hash } = auditBody(body);
  const entry = { ...full, hash, sig: signHashSync(DOMAINS.auditEntry, hash, signer) } as AuditEntry;
  return mldsa ? { ...entry, sig_mldsa: signHashMldsaSync(DOMAINS.auditEntry, hash, mldsa) } : entry;
}

/**
 * signAuditEntrySync, and the entry's own JCS text (its C2SP log leaf, PROTOCOL.md §6) from the
 * same canonicalisation: the entry's members are the hashed body's plus `hash` and the
 * signatures, so the body (34 KB for a placement entry) is canonicalised once, not twice. Same
 * hash as hashAuditEntry, same text as canonicalize(entry) (test/protocol/signed-sync.test.ts).
 */
export function signAuditEntrySyncWithText(body: AuditInput, signer: SyncSigner, mldsa?: MldsaSyncSigner): { entry: AuditEntry; canonical: string } {
  const full = without(body, AUDIT_OMIT);
  const members = canonicalMembers(full);
  // computeHash's body: every `sig_…` member is outside it.
  const hash = hashToText(blake3(utf8View("{" + members.filter(([k]) => !k.startsWith("sig_")).map((m) => m[1]).join(",") + "}")));
  const sig = signHashSync(DOMAINS.auditEntry, hash, signer);
  const sigMldsa = mldsa ? signHashMldsaSync(DOMAINS.auditEntry, hash, mldsa) : undefined;
  const entry = (sigMldsa === undefined ? { ...full, hash, sig } : { ...full, hash, sig, sig_mldsa: sigMldsa }) as AuditEntry;
  const added: [string, string][] = [["hash", hash], ["sig", sig]];
  if (sigMldsa !== undefined) added.push(["sig_mldsa", sigMldsa]);
  for (const [k, v] of added) members.push([k, JSON.stringify(k) + ":" + JSON.stringify(v)]);
  members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { entry, canonical: "{" + members.map((m) => m[1]).join(",") + "}" };
}

/** The Ed25519 signature only; the ML-DSA-65 co-signature is verifyAuditEntryMldsa's. */
export function verifyAuditEntry(e: unknown, controlPlaneAddress: string): Promise<VerifyResult> {
  return verifySigned(e, {
    domain: DOMAINS.auditEntry, what: "audit entry", hashField: "hash", sigField: "sig",
    address: controlPlaneAddress, addressName: "control-plane key", alsoOmit: ["sig_mldsa"],
  });
}

/** `sig_mldsa` by the control plane's ML-DSA-65 key (GET /v1/keys `control_plane_mldsa`). */
export function verifyAuditEntryMldsa(e: unknown, publicKey: Uint8Array): Promise<VerifyResult> {
  return verifyCoSigned(e, { domain: DOMAINS.auditEntry, what: "audit entry", omit: AUDIT_OMIT, sigField: "sig_mldsa", publicKey, keyName: "control_plane_mldsa" });
}

// ---- LogBlock: no hash field (it is computed), signed by the notary key named in `notary`.

export function logBlockHash(block: Loose): string {
  return computeHash(block, BLOCK_OMIT);
}

type BlockInput = Omit<LogBlockFields, "notary"> & { notary?: string } & Extra;

/** `notary` defaults to the signer; a different `notary` would never verify, so it throws. */
function blockBody(body: BlockInput, signer: { address: string }) {
  if (body.notary !== undefined && body.notary !== signer.address) {
    throw new Error(`block notary ${body.notary} is not the signer ${signer.address}`);
  }
  const full = without({ ...body, notary: signer.address }, BLOCK_OMIT);
  return { full, hash: logBlockHash(full) };
}

/** With `mldsa`, also co-signs (`sig_notary_mldsa`, PROTOCOL.md §15). */
export async function signLogBlock(body: BlockInput, signer: Signer, mldsa?: MldsaSigner): Promise<LogBlock> {
  const { full, hash } = blockBody(body, signer);
  const block = { ...full, sig_notary: await signHash(DOMAINS.logBlock, hash, signer) } as LogBlock;
  return mldsa ? { ...block, sig_notary_mldsa: await signHashMldsa(DOMAINS.logBlock, hash, mldsa) } : block;
}

/** For a Durable Object's synchronous transaction (see sync-signer.ts). */
export function signLogBlockSync(body: BlockInput, signer: SyncSigner, mldsa?: MldsaSyncSigner): LogBlock {
  const { full, hash } = blockBody(body, signer);
  const block = { ...full, sig_notary: signHashSync(DOMAINS.logBlock, hash, signer) } as LogBlock;
  return mldsa ? { ...block, sig_notary_mldsa: signHashMldsaSync(DOMAINS.logBlock, hash, mldsa) } : block;
}

/** `sig_notary_mldsa` by the notary's ML-DSA-65 key (GET /v1/keys `notary_mldsa`). */
export function verifyLogBlockMldsa(b: unknown, publicKey: Uint8Array): Promise<VerifyResult> {
  return verifyCoSigned(b, { domain: DOMAINS.logBlock, what: "log block", omit: BLOCK_OMIT, sigField: "sig_notary_mldsa", publicKey, keyName: "notary_mldsa" });
}

/** With `notaryAddress`, also requires the block's `notary` to be that key. */
export async function verifyLogBlock(b: unknown, notaryAddress?: string): Promise<VerifyResult> {
  const notary = isObj(b) ? b.notary : undefined;
  if (notaryAddress !== undefined && notary !== notaryAddress) {
    return { ok: false, reason: `block notary ${String(notary)} is not the expected notary ${notaryAddress}` };
  }
  return verifySigned(b, { domain: DOMAINS.logBlock, what: "log block", sigField: "sig_notary", address: notary, addressName: "notary", alsoOmit: ["sig_notary_mldsa"] });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
