// A chain's signed head: the signer's word on how long a chain is and what its last link hashes
// to. A verifier reading the chain from D1 (or any mirror) can only detect a truncated or
// rolled-back history against a length it did not get from that same store; the DOs that write
// the chains keep their head in DO storage and sign it on request.
import { z } from "zod";
import { GENESIS } from "./hash.ts";
import { address, isoTime, prevHash, sigText } from "./schemas.ts";
import { computeHash, DOMAINS, signHashSync, verifySigned, type VerifyResult } from "./signing.ts";
import type { SyncSigner } from "./sync-signer.ts";

/** "log": an app's LogBlocks, signed by the notary key; "audit": a cluster's audit chain, by the control-plane key. */
export const ChainKind = z.enum(["log", "audit"]);
export type ChainKind = z.infer<typeof ChainKind>;

export const ChainHeadSchema = z
  .looseObject({
    v: z.literal(1),
    kind: ChainKind,
    cluster: z.string().min(1),
    app: z.string().min(1).optional(),
    // The last height (log) or seq (audit); 0 for an empty chain, whose head_hash is GENESIS.
    size: z.int().nonnegative(),
    head_hash: prevHash,
    issued_at: isoTime,
    signer: address,
    sig: sigText,
  })
  .meta({ id: "ChainHead" });
export type ChainHead = z.infer<typeof ChainHeadSchema>;
export type ChainHeadFields = Omit<ChainHead, "signer" | "sig">;

const OMIT = ["sig"] as const;

export function signChainHeadSync(body: ChainHeadFields, signer: SyncSigner): ChainHead {
  const full: Record<string, unknown> = { ...body, signer: signer.address };
  delete full.sig;
  return { ...full, sig: signHashSync(DOMAINS.chainHead, computeHash(full, OMIT), signer) } as ChainHead;
}

/** Which chain a head must be for, and the published key that must have signed it. */
export interface HeadExpectation {
  kind: ChainKind;
  cluster: string;
  app?: string;
  signer: string;
}

/** Checks the head's shape, that it is for the expected chain, and its signature by the expected key. */
export async function verifyChainHead(head: unknown, want: HeadExpectation): Promise<VerifyResult> {
  const parsed = ChainHeadSchema.safeParse(head);
  if (!parsed.success) return { ok: false, reason: `signed head is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "head"}: ${i.message}`).join("; ")}` };
  const h = parsed.data;
  const chain = `${want.kind} chain of ${want.cluster}${want.app ? "/" + want.app : ""}`;
  if (h.kind !== want.kind || h.cluster !== want.cluster || (h.app ?? undefined) !== want.app) {
    return { ok: false, reason: `signed head is for the ${h.kind} chain of ${h.cluster}${h.app ? "/" + h.app : ""}, not the ${chain}` };
  }
  if (h.signer !== want.signer) return { ok: false, reason: `signed head is signed by ${h.signer}, not the published key ${want.signer}` };
  if (h.size === 0 && h.head_hash !== GENESIS) return { ok: false, reason: "signed head of an empty chain must name genesis" };
  return verifySigned(head, { domain: DOMAINS.chainHead, what: "signed head", sigField: "sig", address: h.signer, addressName: "signer" });
}

/**
 * A head seen earlier (pinned) against the one served now: a shorter chain is a rollback, and the
 * same length with another hash a rewrite. A longer chain must still hold the pinned link, which
 * only the history can show: the caller checks `pinned.head_hash` at `pinned.size` while reading.
 */
export function comparePinned(pinned: ChainHead, now: ChainHead): string | null {
  if (now.size < pinned.size) return `rollback: the signed head is at ${now.size}, but ${pinned.size} (${pinned.head_hash}) was pinned at ${pinned.issued_at}`;
  if (now.size === pinned.size && now.head_hash !== pinned.head_hash) {
    return `rewrite: at ${now.size} the signed head names ${now.head_hash}, but ${pinned.head_hash} was pinned at ${pinned.issued_at}`;
  }
  return null;
}
