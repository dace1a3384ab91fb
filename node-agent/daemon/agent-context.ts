// The services every replica runner shares, wired once by the Agent.
import type { CageOptions } from "../cage/options.ts";
import type { DataDir } from "./data-dir.ts";
import type { EventLog } from "./event-log.ts";
import type { PortAllocator } from "./host-ports.ts";
import type { LogShipper } from "./log-shipper.ts";
import type { Logger } from "./logger.ts";
import type { ReceiptChains } from "./receipt-chains.ts";
import type { Records } from "./records.ts";
import type { BackoffOptions } from "./restart-policy.ts";

export interface AgentContext {
  dir: DataDir;
  cage: CageOptions;
  records: Records;
  chains: ReceiptChains;
  shipper: LogShipper;
  ports: PortAllocator;
  log: Logger;
  /** host part of the endpoints reported for network "host" replicas */
  advertisedHost: string;
  usageMs: number;
  stopGraceMs: number;
  backoff: BackoffOptions;
  /** events for the next heartbeat (enc events) */
  events: EventLog;
  /** a container id never used before on this node */
  newContainerId(replica: string): string;
  /** a replica changed state: report it soon */
  changed(): void;
}

/** Containers a replica keeps on disk after they exit (logs, witness), newest last. */
export const KEEP_EXITED = 3;
