import { z } from "zod";
import { Address } from "./common.ts";

/** The seed's NodeCapabilities; hardware figures drive scheduling. */
export const NodeCapabilities = z
  .object({
    cpu_cores: z.number().positive().max(4096),
    memory_gb: z.number().positive().max(65_536),
    storage_gb: z.number().nonnegative().max(1_000_000).default(0),
    network_bandwidth_mbps: z.number().nonnegative().default(0),
    supports_determinism_cage: z.boolean().default(false),
    supports_quantum_crypto: z.boolean().default(false),
    supports_zk_proofs: z.boolean().default(false),
    wallet_integration: z.boolean().default(true),
  })
  .strict()
  .meta({ id: "NodeCapabilities" });
export type NodeCapabilities = z.infer<typeof NodeCapabilities>;

export const NodeType = z.enum(["compute", "storage", "gateway", "validator", "hybrid"]);

export const JoinNodeBody = z
  .object({
    token: z.string().min(8).max(200),
    node_type: NodeType.default("compute"),
    endpoint: z.string().url().max(2048),
    capabilities: NodeCapabilities,
    labels: z.record(z.string().max(63), z.string().max(253)).default({}),
    zone: z.string().max(63).optional(),
  })
  .strict()
  .meta({ id: "JoinNode" });
export type JoinNodeBody = z.infer<typeof JoinNodeBody>;

export const NodeStatus = z.enum(["ready", "cordoned", "draining", "down"]);

export const Node = z
  .object({
    address: Address,
    node_type: NodeType,
    endpoint: z.string(),
    capabilities: NodeCapabilities,
    labels: z.record(z.string(), z.string()),
    zone: z.string().nullable(),
    status: NodeStatus,
    joined_at: z.string(),
    last_heartbeat: z.string().nullable(),
  })
  .meta({ id: "Node" });
export type Node = z.infer<typeof Node>;
