// The three signed object types of PROTOCOL.md §2. Verifiers hash exactly what they received
// (all fields but the hash/sig ones) and never rebuild an object from a fixed field list.
import type { Signer } from "./ed25519.ts";
import type { AuditEntry, AuditEntryFields, LogBlock, LogBlockFields, StepReceipt, StepReceiptFields } from "./schemas.ts";
import { DOMAINS, computeHash, signHash, signHashSync, verifySigned, type VerifyResult } from "./signing.ts";
import type { SyncSigner } from "./sync-signer.ts";

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
const AUDIT_OMIT = ["hash", "sig"] as const;
const BLOCK_OMIT = ["sig_notary"] as const;

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

// ---- AuditEntry: signed by the control-plane key (GET /v1/keys).

export function hashAuditEntry(e: Loose): string {
  return computeHash(e, AUDIT_OMIT);
}

type AuditInput = AuditEntryFields & Extra;

function auditBody(body: AuditInput) {
  const full = without(body, AUDIT_OMIT);
  return { full, hash: hashAuditEntry(full) };
}

export async function signAuditEntry(body: AuditInput, signer: Signer): Promise<AuditEntry> {
  const { full, hash } = auditBody(body);
  return { ...full, hash, sig: await signHash(DOMAINS.auditEntry, hash, signer) } as AuditEntry;
}

/** For a Durable Object's synchronous transaction (see sync-signer.ts). */
export function signAuditEntrySync(body: AuditInput, signer: SyncSigner): AuditEntry {
  const { full, hash } = auditBody(body);
  return { ...full, hash, sig: signHashSync(DOMAINS.auditEntry, hash, signer) } as AuditEntry;
}

export function verifyAuditEntry(e: unknown, controlPlaneAddress: string): Promise<VerifyResult> {
  return verifySigned(e, {
    domain: DOMAINS.auditEntry, what: "audit entry", hashField: "hash", sigField: "sig",
    address: controlPlaneAddress, addressName: "control-plane key",
  });
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

export async function signLogBlock(body: BlockInput, signer: Signer): Promise<LogBlock> {
  const { full, hash } = blockBody(body, signer);
  return { ...full, sig_notary: await signHash(DOMAINS.logBlock, hash, signer) } as LogBlock;
}

/** For a Durable Object's synchronous transaction (see sync-signer.ts). */
export function signLogBlockSync(body: BlockInput, signer: SyncSigner): LogBlock {
  const { full, hash } = blockBody(body, signer);
  return { ...full, sig_notary: signHashSync(DOMAINS.logBlock, hash, signer) } as LogBlock;
}

/** With `notaryAddress`, also requires the block's `notary` to be that key. */
export async function verifyLogBlock(b: unknown, notaryAddress?: string): Promise<VerifyResult> {
  const notary = isObj(b) ? b.notary : undefined;
  if (notaryAddress !== undefined && notary !== notaryAddress) {
    return { ok: false, reason: `block notary ${String(notary)} is not the expected notary ${notaryAddress}` };
  }
  return verifySigned(b, { domain: DOMAINS.logBlock, what: "log block", sigField: "sig_notary", address: notary, addressName: "notary" });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
