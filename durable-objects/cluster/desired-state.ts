import { hashCanonical } from "../../protocol/hash.ts";
import { signingInput } from "../../protocol/signed.ts";
import { isoNow } from "../../protocol/time.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import type { SyncSigner } from "../shared/sync-signer.ts";

export const DESIRED_STATE_DOMAIN = "enc/desired-state/v1";

export interface DesiredReplica {
  id: string;
  workload: string;
  replica_type: string;
  spec: WorkloadSpec;
}

export interface DesiredState {
  v: 1;
  cluster: string;
  node: string;
  version: number;
  issued_at: string;
  replicas: DesiredReplica[];
  /** Replays to run: rerun the container that produced `receipt`, compare witness roots. */
  replays: { id: string; receipt: string; app: string }[];
  hash: string;
  sig: string;
}

/**
 * What one node should run, signed by the control-plane key so an agent acts only on orders
 * the control plane gave (hash and signature as for AuditEntries, domain enc/desired-state/v1).
 */
export function signDesiredState(
  cluster: string,
  node: string,
  version: number,
  replicas: DesiredReplica[],
  replays: DesiredState["replays"],
  signer: SyncSigner,
): DesiredState {
  const body = { v: 1 as const, cluster, node, version, issued_at: isoNow(), replicas, replays };
  const hash = hashCanonical(body);
  return { ...body, hash, sig: signer.sign(signingInput(DESIRED_STATE_DOMAIN, hash)) };
}

/** Long-poll waiters per node, woken when the desired-state version moves. In memory only: a
 * lost waiter just times out and the agent polls again. */
export class Waiters {
  private readonly waiting = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const w of [...this.waiting]) w();
  }
}
