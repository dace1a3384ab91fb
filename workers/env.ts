import type { ClusterDO } from "../durable-objects/cluster/cluster-do.ts";
import type { NotaryDO } from "../durable-objects/notary/notary-do.ts";
import type { NonceDO } from "../durable-objects/nonce/nonce-do.ts";
import type { RegistryDO } from "../durable-objects/registry/registry-do.ts";
import type { ZkChallengeDO } from "../durable-objects/registry/challenge-do.ts";

export interface Env {
  CLUSTER: DurableObjectNamespace<ClusterDO>;
  NOTARY: DurableObjectNamespace<NotaryDO>;
  NONCES: DurableObjectNamespace<NonceDO>;
  /** Single writer per httpcg host / did:bpi DID (shadow and DID registries). */
  REGISTRY: DurableObjectNamespace<RegistryDO>;
  /** Single-use rootzk challenges, sharded by their first hex digit. */
  ZK_CHALLENGES: DurableObjectNamespace<ZkChallengeDO>;
  LEDGER: D1Database;
  /** Hex Ed25519 seed of the control-plane key (signs AuditEntries). A Worker secret. */
  CONTROL_PLANE_KEY: string;
  /** Hex Ed25519 seed of the notary key (signs LogBlocks). A Worker secret. */
  NOTARY_KEY: string;
  /** QLOCK session-binding MAC key (64 hex, or any secret of 16+ characters; workers/resolver/QLOCK.md). A Worker secret. */
  QLOCK_KEY: string;
  /** Who may clear the resolver cache: bpi1 addresses separated by commas or spaces (default: the control-plane key). */
  RESOLVER_ADMINS?: string;
  /** Entries of the in-isolate resolution cache (default 10000). */
  DOMAIN_RESOLUTION_CACHE_SIZE?: string;
}

export type Role = "owner" | "admin" | "operator" | "viewer" | "node";

export interface AppVariables {
  /** bpi1 address of the verified request signer. */
  actor: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
