// Receipt verification spread over worker threads, one per core, for `enc ledger verify`: hashing
// (JCS + BLAKE3, JavaScript) and signatures are per receipt and independent, so a ledger of
// 100,000 receipts is checked by every core at once. The order-dependent checks stay on the main
// thread (protocol/ledger-verify.ts); results come back in input order.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ReceiptBatchVerifier } from "../../protocol/ledger-verify.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import type { VerifyResult } from "../../protocol/signed.ts";

/** Receipts per message: large enough that posting costs little, small enough to balance. */
const CHUNK = 64;

export interface VerifierPool {
  verify: ReceiptBatchVerifier;
  close(): Promise<void>;
}

/**
 * The built worker script (dist/enc-verify-worker.mjs, next to dist/enc.mjs or one level up from
 * a chunk), or null when running from source, where there is none to start.
 */
export function builtWorkerPath(): string | null {
  for (const rel of ["./enc-verify-worker.mjs", "../enc-verify-worker.mjs"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** A pool of `size` workers (default: one per core), or null if no worker script is available. */
export function verifierPool(size = availableParallelism(), script = builtWorkerPath()): VerifierPool | null {
  if (!script || size < 1) return null;
  const workers = Array.from({ length: size }, () => new Worker(script));
  const load = workers.map(() => 0);
  const waiting = new Map<number, { resolve: (r: VerifyResult[]) => void; reject: (e: Error) => void; worker: number }>();
  let next = 0;
  let failed: Error | null = null;
  workers.forEach((w, i) => {
    w.on("message", (m: { id: number; results: VerifyResult[] }) => {
      const job = waiting.get(m.id);
      if (!job) return;
      waiting.delete(m.id);
      load[i]--;
      job.resolve(m.results);
    });
    w.on("error", (e) => {
      failed = e;
      for (const job of waiting.values()) job.reject(e);
      waiting.clear();
    });
  });
  const send = (receipts: readonly StepReceipt[]) =>
    new Promise<VerifyResult[]>((resolve, reject) => {
      if (failed) return reject(failed);
      let best = 0;
      for (let i = 1; i < workers.length; i++) if (load[i] < load[best]) best = i;
      const id = next++;
      waiting.set(id, { resolve, reject, worker: best });
      load[best]++;
      workers[best].postMessage({ id, receipts });
    });
  return {
    async verify(receipts) {
      const parts: Promise<VerifyResult[]>[] = [];
      for (let i = 0; i < receipts.length; i += CHUNK) parts.push(send(receipts.slice(i, i + CHUNK)));
      return (await Promise.all(parts)).flat();
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
