/** The LogBlockSealed event a sealed block owes the cluster's audit chain. */
export interface SealedEvent {
  cluster: string;
  app: string;
  height: number;
  hash: string;
  count: number;
  merkle_root: string;
}

/** The delivery row: its key makes the ClusterDO's audit append idempotent across retries. */
export const sealedDelivery = (e: SealedEvent) => ({ key: `sealed:${e.hash}`, payload: JSON.stringify(e) });

/** How the ClusterDO answered one delivery. */
export type DeliveryAnswer = { ok: true } | { ok: false; problem: { status: number; detail: string } };

/**
 * Delivered: drop the row. A 4xx will not get better by retrying (the cluster refused it for
 * good), so it is dropped too; a 5xx stops this round and is retried by the alarm.
 */
export const afterDelivery = (answer: DeliveryAnswer): "drop" | "retry" => (answer.ok || answer.problem.status < 500 ? "drop" : "retry");
