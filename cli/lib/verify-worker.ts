// A worker thread of `enc ledger verify` (see verify-pool.ts): checks each receipt it is sent
// (hash over its JCS body, node signature with Node's native WebCrypto) and answers in order.
import { parentPort } from "node:worker_threads";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { verifyReceipt } from "../../protocol/signed.ts";

parentPort?.on("message", async (msg: { id: number; receipts: StepReceipt[] }) => {
  const results = await Promise.all(msg.receipts.map((r) => verifyReceipt(r)));
  parentPort!.postMessage({ id: msg.id, results });
});
