import type { ClusterDO } from "../durable-objects/cluster/cluster-do.ts";
import type { NotaryDO } from "../durable-objects/notary/notary-do.ts";
import type { NonceDO } from "../durable-objects/nonce/nonce-do.ts";

export interface Env {
  CLUSTER: DurableObjectNamespace<ClusterDO>;
  NOTARY: DurableObjectNamespace<NotaryDO>;
  NONCES: DurableObjectNamespace<NonceDO>;
  LEDGER: D1Database;
  /** Hex Ed25519 seed of the control-plane key (signs AuditEntries). A Worker secret. */
  CONTROL_PLANE_KEY: string;
  /** Hex Ed25519 seed of the notary key (signs LogBlocks). A Worker secret. */
  NOTARY_KEY: string;
}

export type Role = "owner" | "admin" | "operator" | "viewer" | "node";

export interface AppVariables {
  /** bpi1 address of the verified request signer. */
  actor: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
