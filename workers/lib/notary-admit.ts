import type { StepReceipt } from "../../protocol/schemas.ts";
import { verifyReceiptEntry } from "../../protocol/signed.ts";
import { checkBatch } from "../../domain/notary/admission.ts";
import { notaryName } from "../../domain/notary/identity.ts";
import type { NotaryLimits } from "../../domain/notary/sealing.ts";
import { err, type Result } from "../../domain/result.ts";

export type Admitted = { accepted: number; duplicates: number; sealed: number[] };

/** What verifyThenAdmit needs of the NOTARY binding (a namespace of this or another Worker's process). */
export interface NotaryNamespace {
  getByName(name: string): { admitVerified(limits: NotaryLimits, entries: string[], indexes: number[]): Promise<Result<Admitted>> };
}

/**
 * The only way receipts enter an app's log: verified here, in the Worker, then admitted by its
 * NotaryDO. The DO is a single-threaded sequencer per app; the Ed25519 verification (half of its
 * CPU per receipt when it verified itself, docs/PERFORMANCE.md "Seventh pass: ingest") runs in
 * whichever Worker isolate took the request, so it spreads over the Workers while the DO keeps
 * only the chain rules, the insert, the leaf hash and the seal.
 *
 * Trust boundary: `NotaryDO.admitVerified` believes that every entry it is given is the JCS of a
 * StepReceipt whose hash and node signature were checked; nothing outside this deployment can
 * call it (a DO is reachable only through its binding), and in this deployment nothing but this
 * function calls it. Each signature check yields the receipt's JCS, which is what crosses the
 * RPC and what the DO stores as the body: the very bytes that were verified.
 *
 * Refuses (422, `field` naming the index in the client's request via `indexes`) the batch at its
 * first receipt whose signature fails, that is not of (cluster, app), or whose `ts` is outside
 * the notary's window; nothing then reaches the DO.
 */
export async function verifyThenAdmit(
  notary: NotaryNamespace,
  cluster: string,
  app: string,
  limits: NotaryLimits,
  receipts: readonly StepReceipt[],
  indexes: readonly number[] = receipts.map((_, i) => i),
): Promise<Result<Admitted>> {
  const checks = await Promise.all(receipts.map((r) => verifyReceiptEntry(r)));
  const refused = checkBatch({ cluster, app }, receipts, checks, indexes, Date.now());
  if (refused) return err(refused.status, refused.detail, { field: refused.field, index: refused.index });
  const entries = checks.map((c) => (c.ok ? c.entry : ""));
  return notary.getByName(notaryName(cluster, app)).admitVerified(limits, entries, [...indexes]);
}
