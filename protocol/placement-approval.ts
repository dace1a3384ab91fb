// Consensus placement (PROTOCOL.md §9). A PlacementApproval is a signed object (§2) with domain
// enc/placement-approval/v1, signed by the validator node named in `validator`; a refusal is the
// same body plus `reason` under enc/placement-refusal/v1. The validator set is pinned by agents at
// join (epoch 1, from the cluster config) and moves only by a change that k validators of the
// current set signed (domain enc/validator-set/v1 over the change's hash).
import type { Signer } from "./ed25519.ts";
import { verifyWithAddress } from "./ed25519.ts";
import { GENESIS, hashCanonical } from "./hash.ts";
import { computeHash, isSigText, signHash, signingInput, textToSig, verifySigned, type VerifyResult } from "./signing.ts";
import { isoNow } from "./time.ts";
import type { PlacementApproval, PlacementRefusal, SignedRequest, ValidatorSet, ValidatorSetChange } from "./api/placement.ts";
import { utf8 } from "./bytes.ts";
import { verifyRequest } from "./http-signature.ts";

export const PLACEMENT_APPROVAL_DOMAIN = "enc/placement-approval/v1";
export const PLACEMENT_REFUSAL_DOMAIN = "enc/placement-refusal/v1";
export const VALIDATOR_SET_DOMAIN = "enc/validator-set/v1";
const OMIT = ["hash", "sig"] as const;

/** BLAKE3(JCS(spec)) of the workload spec a placement runs, exactly as it travels. */
export const specHash = (spec: unknown): string => hashCanonical(spec);

/** The placement a validator answers about. */
export interface PlacementKey {
  cluster: string;
  workload: string;
  replica: string;
  node: string;
  spec_hash: string;
  round: number;
}

type Loose = Record<string, unknown>;

async function signAnswer<T>(domain: string, body: Loose, signer: Signer): Promise<T> {
  if (body.validator !== undefined && body.validator !== signer.address) throw new Error(`validator ${String(body.validator)} is not the signer ${signer.address}`);
  const full: Loose = { ...body, validator: signer.address, ts: body.ts ?? isoNow() };
  for (const f of OMIT) delete full[f];
  const hash = computeHash(full, OMIT);
  return { ...full, hash, sig: await signHash(domain, hash, signer) } as T;
}

export function signPlacementApproval(key: PlacementKey & { ts?: string }, signer: Signer): Promise<PlacementApproval> {
  return signAnswer(PLACEMENT_APPROVAL_DOMAIN, { v: 1, ...key }, signer);
}

export function signPlacementRefusal(key: PlacementKey & { ts?: string; reason: string }, signer: Signer): Promise<PlacementRefusal> {
  return signAnswer(PLACEMENT_REFUSAL_DOMAIN, { v: 1, ...key }, signer);
}

const validatorOf = (o: unknown) => (typeof o === "object" && o !== null ? (o as Loose).validator : undefined);

export function verifyPlacementApproval(a: unknown): Promise<VerifyResult> {
  return verifySigned(a, { domain: PLACEMENT_APPROVAL_DOMAIN, what: "placement approval", hashField: "hash", sigField: "sig", address: validatorOf(a), addressName: "validator" });
}

export function verifyPlacementRefusal(r: unknown): Promise<VerifyResult> {
  return verifySigned(r, { domain: PLACEMENT_REFUSAL_DOMAIN, what: "placement refusal", hashField: "hash", sigField: "sig", address: validatorOf(r), addressName: "validator" });
}

/** The fields of `o` that must equal the placement's, named when one differs. */
export function keyMismatch(o: Loose, key: PlacementKey): string | undefined {
  if (o.v !== 1) return "v is not 1";
  for (const f of ["cluster", "workload", "replica", "node", "spec_hash", "round"] as const) {
    if (o[f] !== key[f]) return `${f} is ${JSON.stringify(o[f])}, not ${JSON.stringify(key[f])}`;
  }
  return undefined;
}

export interface QuorumResult {
  ok: boolean;
  /** the distinct validators of the set whose approval verified, in order */
  approvers: string[];
  /** why each other approval did not count */
  rejected: string[];
  needed: number;
}

/**
 * Counts the approvals that are for exactly `key`, verify, come from a validator of `set`, and
 * are each validator's first: a quorum is `set.quorum` distinct validators.
 */
export async function checkQuorum(approvals: readonly unknown[], key: PlacementKey, set: Pick<ValidatorSet, "quorum" | "validators">): Promise<QuorumResult> {
  const members = new Set(set.validators);
  const approvers: string[] = [];
  const rejected: string[] = [];
  for (const [i, a] of approvals.entries()) {
    const who = validatorOf(a);
    const v = await verifyPlacementApproval(a);
    if (!v.ok) rejected.push(`approval ${i}: ${v.reason}`);
    else if (!members.has(String(who))) rejected.push(`approval ${i}: ${String(who)} is not in the validator set`);
    else if (approvers.includes(String(who))) rejected.push(`approval ${i}: a second approval by ${String(who)}`);
    else {
      const bad = keyMismatch(a as Loose, key);
      if (bad) rejected.push(`approval ${i}: ${bad}`);
      else approvers.push(String(who));
    }
  }
  return { ok: approvers.length >= set.quorum, approvers, rejected, needed: set.quorum };
}

// ---- the validator set

/** The change object of a set (its hash is what the validators sign), without the hash. */
export function validatorSetBody(cluster: string, epoch: number, quorum: number, validators: readonly string[], prev: string) {
  return { v: 1 as const, cluster, epoch, quorum, validators: [...validators], prev };
}

export const hashValidatorSetBody = (body: Loose): string => computeHash(body, ["hash"]);

/** Epoch 1, from the cluster config: pinned on trust at join, as the control-plane key is. */
export function genesisValidatorSet(cluster: string, quorum: number, validators: readonly string[]): ValidatorSet {
  const body = validatorSetBody(cluster, 1, quorum, validators, GENESIS);
  return { epoch: 1, quorum, validators: [...validators], hash: hashValidatorSetBody(body) };
}

/** One validator's signature of a set change (its hash). */
export async function signValidatorSetChange(changeHash: string, signer: Signer): Promise<{ validator: string; sig: string }> {
  return { validator: signer.address, sig: await signHash(VALIDATOR_SET_DOMAIN, changeHash, signer) };
}

export type SetChangeResult = { ok: true; set: ValidatorSet } | { ok: false; reason: string };

/**
 * A change follows `current` when it is the next epoch of the same cluster, names `current` as
 * `prev`, hashes to its `hash`, and k = current.quorum distinct validators of `current` signed it.
 */
export async function applyValidatorSetChange(current: ValidatorSet, cluster: string, c: ValidatorSetChange): Promise<SetChangeResult> {
  const ch = c.change;
  const fail = (reason: string): SetChangeResult => ({ ok: false, reason });
  if (ch.cluster !== cluster) return fail(`change is for cluster ${ch.cluster}, not ${cluster}`);
  if (ch.epoch !== current.epoch + 1) return fail(`change is epoch ${ch.epoch}; the next epoch is ${current.epoch + 1}`);
  if (ch.prev !== current.hash) return fail(`change follows ${ch.prev}, not the current set ${current.hash}`);
  if (new Set(ch.validators).size !== ch.validators.length) return fail("change names a validator twice");
  if (ch.quorum > ch.validators.length) return fail(`quorum ${ch.quorum} is more than the ${ch.validators.length} validators`);
  const { hash, ...body } = ch;
  if (hashValidatorSetBody(body) !== hash) return fail("change hash does not match its body");
  const members = new Set(current.validators);
  const signers = new Set<string>();
  for (const s of c.signatures) {
    if (!members.has(s.validator) || signers.has(s.validator) || !isSigText(s.sig)) continue;
    if (await verifyWithAddress(s.validator, signingInput(VALIDATOR_SET_DOMAIN, hash), textToSig(s.sig))) signers.add(s.validator);
  }
  if (signers.size < current.quorum) return fail(`change signed by ${signers.size} validator(s) of the current set; ${current.quorum} needed`);
  return { ok: true, set: { epoch: ch.epoch, quorum: ch.quorum, validators: [...ch.validators], hash } };
}

/** Follows every change in order from `pinned`; stops at the first that does not apply. */
export async function followValidatorSet(pinned: ValidatorSet, cluster: string, changes: readonly ValidatorSetChange[]): Promise<{ set: ValidatorSet; error?: string }> {
  let set = pinned;
  for (const c of [...changes].sort((a, b) => a.change.epoch - b.change.epoch)) {
    if (c.change.epoch <= set.epoch) continue;
    const r = await applyValidatorSetChange(set, cluster, c);
    if (!r.ok) return { set, error: r.reason };
    set = r.set;
  }
  return { set };
}

/**
 * A request kept as its signer sent it (e.g. a node's heartbeat), checked by anyone later: the
 * RFC 9421 signature over method, URL and Content-Digest must verify for `signer`, judged at the
 * time it says it was made. Gives that time (unix s) and the body.
 */
export async function verifyKeptRequest(r: SignedRequest, signer: string): Promise<{ ok: true; created: number; body: string } | { ok: false; reason: string }> {
  const created = /;created=(\d+)/.exec(r.signature_input)?.[1];
  if (!created) return { ok: false, reason: "signature-input has no created time" };
  const headers: Record<string, string> = { "signature-input": r.signature_input, signature: r.signature };
  if (r.content_digest) headers["content-digest"] = r.content_digest;
  const body = utf8(r.body);
  const v = await verifyRequest({ method: r.method, url: r.url, headers, body: body.length ? body : null, now: Number(created) });
  if (!v.ok) return { ok: false, reason: v.reason };
  if (v.keyid !== signer) return { ok: false, reason: `signed by ${v.keyid}, not by ${signer}` };
  return { ok: true, created: v.created, body: r.body };
}
