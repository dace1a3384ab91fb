import { z } from "zod";
import { Address, ClusterName, GrantableRole, Role } from "./common.ts";
import { PlacementConfig } from "./placement.ts";
import { WitnessEndpoint } from "./witness.ts";

export const NotaryLimits = z
  .object({
    max_receipts_per_block: z.number().int().min(1).max(10_000).default(100),
    max_block_window_s: z.number().int().min(1).max(86_400).default(300),
  })
  .strict();
export type NotaryLimits = z.infer<typeof NotaryLimits>;

export const LoadBalancingAlgorithm = z.enum([
  "round_robin",
  "consistent_hashing",
  "least_connections",
  "weighted_round_robin",
  "resource_based",
]);

/** Prices per unit of each StepReceipt resource, in `currency` (ISO 4217 code). */
export const RateCard = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code, e.g. USD").default("USD"),
    cpu_ms: z.number().min(0).max(1e6).default(0),
    memory_mb_s: z.number().min(0).max(1e6).default(0),
    storage_gb_day: z.number().min(0).max(1e6).default(0),
    egress_mb: z.number().min(0).max(1e6).default(0),
  })
  .strict()
  .meta({ id: "RateCard" });
export type RateCard = z.infer<typeof RateCard>;
/** Standard < enterprise < military_grade; a cluster's level only rises (README "Security levels"). */
export const SecurityLevel = z.enum(["standard", "enterprise", "military_grade"]);
export type SecurityLevel = z.infer<typeof SecurityLevel>;

/** The seed's names (`--security-level high|maximum`) and the CLI's spelling with a dash. */
export const SECURITY_LEVEL_ALIASES: Readonly<Record<string, SecurityLevel>> = {
  standard: "standard",
  enterprise: "enterprise",
  high: "enterprise",
  "military-grade": "military_grade",
  military_grade: "military_grade",
  maximum: "military_grade",
};

export const ComplianceFramework = z.enum(["SOC2", "HIPAA", "PCI-DSS"]);
export type ComplianceFramework = z.infer<typeof ComplianceFramework>;

/** The seed's EncClusterConfig, plus notary limits. Every field has a safe default. */
export const ClusterConfig = z
  .object({
    max_nodes: z.number().int().min(1).max(10_000).default(100),
    max_replicas_per_node: z.number().int().min(1).max(1_000).default(10),
    auto_scaling_enabled: z.boolean().default(true),
    load_balancing_algorithm: LoadBalancingAlgorithm.default("resource_based"),
    security_level: SecurityLevel.default("standard"),
    audit_to_bpi_ledger: z.boolean().default(true),
    domain_protocols_enabled: z.boolean().default(true),
    quantum_crypto_enabled: z.boolean().default(false),
    zk_privacy_enabled: z.boolean().default(false),
    notary: NotaryLimits.default({ max_receipts_per_block: 100, max_block_window_s: 300 }),
    /** Witnesses (C2SP tlog-witness) that every checkpoint of the cluster's logs is sent to (PROTOCOL.md §7); Enterprise and MilitaryGrade need one. */
    witnesses: z.array(WitnessEndpoint).max(16).default([]),
    /** Cosignatures a checkpoint needs to count as witnessed; `enc ledger verify --witness` defaults --min-witnesses to it. */
    witness_quorum: z.number().int().min(0).max(16).default(0),
    /** A node silent for ttl + grace seconds is Down and its replicas move. */
    heartbeat_ttl_s: z.number().int().min(1).max(3600).default(10),
    heartbeat_grace_s: z.number().int().min(0).max(3600).default(10),
    /** After a delete's grace period, how long a replica's agent has to confirm the stop before it is dropped unconfirmed (`enc rm --wait` names it). */
    stop_confirm_slack_s: z.number().int().min(1).max(3600).default(30),
    /** Registry https_endpoints and DID services may name loopback/private/link-local hosts (admins only). */
    allow_private_endpoints: z.boolean().default(false),
    /** Lets admins (only) deploy `cage.network: "host"`: no network isolation, see node-agent/cage/CAGE.md. */
    allow_host_network: z.boolean().default(false),
    /** The rate card `enc receipts tiers` prices each receipt chain's summed resources with (per unit). */
    rates: RateCard.optional(),
    /** ML-DSA-65 co-signatures (PROTOCOL.md §15) on this cluster's LogBlocks and AuditEntries. A raise only: never turned off; MilitaryGrade forces it on. */
    quantum_safe: z.boolean().default(false),
    /** Frameworks the cluster collects evidence for (reports: `enc audit report`); a label, never a claim. */
    compliance: z.array(ComplianceFramework).max(3).default([]),
    /** Consensus placement (README "Consensus placement"): absent, the scheduler's choice is final. */
    placement: PlacementConfig.optional(),
    /** Tiles of the app and audit logs (PROTOCOL.md §6) readable by anyone, unsigned; else viewer. */
    public_log: z.boolean().default(false),
  })
  .strict()
  .meta({ id: "ClusterConfig" });
export type ClusterConfig = z.infer<typeof ClusterConfig>;

export const CreateClusterBody = z
  .object({ name: ClusterName, config: ClusterConfig.optional() })
  .strict()
  .meta({ id: "CreateCluster" });

export const Cluster = z
  .object({
    name: ClusterName,
    owner: Address,
    created_at: z.string(),
    config: ClusterConfig,
    nodes: z.number().int(),
  })
  .meta({ id: "Cluster" });
export type Cluster = z.infer<typeof Cluster>;

export const JoinTokenBody = z
  .object({ ttl_s: z.number().int().min(60).max(7 * 86_400).default(3600) })
  .strict()
  .meta({ id: "JoinTokenRequest" });

export const JoinToken = z.object({ token: z.string(), expires_at: z.string() }).meta({ id: "JoinToken" });

export const GrantRoleBody = z.object({ address: Address, role: GrantableRole }).strict().meta({ id: "GrantRole" });
export const RoleBinding = z
  .object({ address: Address, role: Role, granted_by: z.string(), granted_at: z.string() })
  .meta({ id: "RoleBinding" });
export type RoleBinding = z.infer<typeof RoleBinding>;

/** `enc cluster set-security-level`: the level to raise to, and frameworks to add. */
export const SecurityLevelBody = z
  .object({ security_level: SecurityLevel, compliance: z.array(ComplianceFramework).max(3).optional() })
  .strict()
  .meta({ id: "SecurityLevelBody" });
