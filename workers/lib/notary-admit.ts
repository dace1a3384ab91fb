import type { StepReceipt } from "../../protocol/schemas.ts";
import { verifyReceiptEntry } from "../../protocol/signed.ts";
import { checkBatch, type Admitted } from "../../domain/notary/admission.ts";
import { notaryName } from "../../domain/notary/identity.ts";
import type { NotaryLimits } from "../../domain/notary/sealing.ts";
import { err, type Result } from "../../domain/result.ts";

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
 * StepReceipt whose hash and node signature were checked. A DO is reachable only through a
 * binding to its class: this Worker's, or another Worker's of the same account that declares one
 * (README, Security); in this project nothing but this file calls it. Each signature check yields
 * the receipt's JCS, which is what crosses the RPC and what the DO stores as the body: the very
 * bytes that were verified.
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
  return verifyThenAdmitApps(notary, cluster, limits, [{ app, receipts, indexes }]);
}

/**
 * verifyThenAdmit for a request whose receipts are of several apps (one NotaryDO each): every
 * app's receipts are verified before any is admitted, so a forged receipt anywhere in the request
 * leaves every log untouched. (A chain-rule refusal by one app's NotaryDO still comes after the
 * apps before it admitted theirs: each DO commits its own transaction.)
 */
export async function verifyThenAdmitApps(
  notary: NotaryNamespace,
  cluster: string,
  limits: NotaryLimits,
  apps: readonly { app: string; receipts: readonly StepReceipt[]; indexes: readonly number[] }[],
): Promise<Result<Admitted>> {
  const now = Date.now();
  const verified: { app: string; entries: string[]; indexes: number[] }[] = [];
  for (const { app, receipts, indexes } of apps) {
    const checks = await Promise.all(receipts.map((r) => verifyReceiptEntry(r)));
    const refused = checkBatch({ cluster, app }, receipts, checks, indexes, now);
    if (refused) return err(refused.status, refused.detail, { field: refused.field, index: refused.index });
    verified.push({ app, entries: checks.map((c) => (c.ok ? c.entry : "")), indexes: [...indexes] });
  }
  const total: Admitted = { accepted: 0, duplicates: 0, sealed: [] };
  for (const { app, entries, indexes } of verified) {
    const res = await notary.getByName(notaryName(cluster, app)).admitVerified(limits, entries, indexes);
    if (!res.ok) return res;
    total.accepted += res.value.accepted;
    total.duplicates += res.value.duplicates;
    total.sealed.push(...res.value.sealed);
  }
  return { ok: true, value: total };
}
