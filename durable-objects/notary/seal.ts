import { GENESIS, textToHash } from "../../protocol/hash.ts";
import { merkleRoot } from "../../protocol/merkle.ts";
import { hashToText } from "../../protocol/hash.ts";
import { logBlockHash, signLogBlockSync } from "../../protocol/signed.ts";
import type { LogBlock } from "../../protocol/schemas.ts";
import type { TlogBinding } from "../../protocol/api/tlog.ts";
import type { MldsaSyncSigner, SyncSigner } from "../shared/sync-signer.ts";

export interface PendingReceipt {
  hash: string;
  ts: string;
}

/** Builds and signs the next LogBlock over `pending` (in sealing order). Pure: no storage. */
export function buildBlock(
  cluster: string,
  app: string,
  height: number,
  prev: string | undefined,
  pending: PendingReceipt[],
  signer: SyncSigner,
  tlog?: TlogBinding,
  /** Co-signs with ML-DSA-65 (PROTOCOL.md §15) for a quantum-safe cluster. */
  mldsa?: MldsaSyncSigner,
): { block: LogBlock; hash: string } {
  let from = pending[0].ts;
  let to = pending[0].ts;
  for (const p of pending) {
    if (p.ts < from) from = p.ts;
    if (p.ts > to) to = p.ts;
  }
  const body = {
    v: 1 as const,
    cluster,
    app,
    height,
    prev: prev ?? GENESIS,
    merkle_root: hashToText(merkleRoot(pending.map((p) => textToHash(p.hash)))),
    count: pending.length,
    range: { from_ts: from, to_ts: to },
    notary: signer.address,
    ...(tlog ? { tlog } : {}),
  };
  const block = signLogBlockSync(body, signer, mldsa);
  return { block, hash: logBlockHash(block) };
}
