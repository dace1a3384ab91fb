import type { JoinNodeBody, Node } from "../../protocol/api/node.ts";
import { toIso } from "../../protocol/time.ts";
import { count, eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { nodes } from "./schema.ts";

type NodeRow = typeof nodes.$inferSelect;

/** Nodes in join order: list()'s order, and forPlacementAllocated()'s, which breaks the engine's ties. */
const NODE_ORDER = "ORDER BY joined_at, address";

/** The members of a Node that placement reads. */
export type PlacementNode = Pick<Node, "address" | "node_type" | "capabilities" | "labels" | "zone" | "status">;

/** A node with its placed replicas summed: what placement reads of it. */
export type NodeAllocation = { node: PlacementNode; cpu_millis: number; memory_mb: number; storage_gb: number; n: number };

/**
 * Parsed capabilities and labels by their JSON text: every deploy lists every node, and parsing
 * 1,000 nodes' JSON again each time was a tenth of a deploy (docs/PERFORMANCE.md). Keyed by the
 * stored text, so a changed row can never be served stale; the objects are shared, read-only.
 */
const parsed = new Map<string, unknown>();
function parseOnce(text: string): unknown {
  let v = parsed.get(text);
  if (v === undefined) {
    if (parsed.size >= 10_000) parsed.clear();
    parsed.set(text, (v = JSON.parse(text)));
  }
  return v;
}

export function toNode(r: Omit<NodeRow, "usage">): Node {
  return {
    address: r.address,
    node_type: r.node_type,
    endpoint: r.endpoint,
    capabilities: parseOnce(r.capabilities) as Node["capabilities"],
    labels: parseOnce(r.labels) as Node["labels"],
    zone: r.zone,
    status: r.status,
    joined_at: r.joined_at,
    last_heartbeat: r.last_heartbeat == null ? null : toIso(r.last_heartbeat),
  };
}

export class NodeRegistry {
  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly sqlite: SqlStorage,
  ) {}

  get(address: string): Node | undefined {
    const r = this.db.select().from(nodes).where(eq(nodes.address, address)).get();
    return r && toNode(r);
  }

  list(): Node[] {
    // Raw, without the usage JSON: every deploy lists all nodes, and drizzle's row mapping of 1,000 rows cost more than the read.
    // Positional (.raw()): workerd building each row object cost more than this mapping.
    const out: Node[] = [];
    for (const [address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat] of this.sqlite
      .exec(`SELECT address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat FROM nodes ${NODE_ORDER}`)
      .raw()) {
      out.push(toNode({ address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat } as Omit<NodeRow, "usage">));
    }
    return out;
  }

  /**
   * What placement reads of every node, in list()'s order, which breaks the engine's ties (without
   * the endpoint, join time and heartbeat list() adds), with each node's placed replicas summed
   * in the same statement (a deploy read both apart, 1,000 rows each, and matched them up in a Map). The sums come from the replica table's covering node index; a node without
   * placed replicas sums to 0.
   */
  forPlacementAllocated(): NodeAllocation[] {
    const out: NodeAllocation[] = [];
    for (const [address, node_type, capabilities, labels, zone, status, cpu_millis, memory_mb, storage_gb, n] of this.sqlite
      .exec(
        `SELECT address, node_type, capabilities, labels, zone, status, s.cpu, s.mem, s.sto, s.n FROM nodes
         LEFT JOIN (SELECT node, SUM(cpu_millis) AS cpu, SUM(memory_mb) AS mem, SUM(storage_gb) AS sto, COUNT(*) AS n FROM replicas WHERE node IS NOT NULL GROUP BY node) AS s
         ON s.node = nodes.address ${NODE_ORDER}`,
      )
      .raw()) {
      out.push({
        node: {
          address: address as string,
          node_type: node_type as Node["node_type"],
          capabilities: parseOnce(capabilities as string) as Node["capabilities"],
          labels: parseOnce(labels as string) as Node["labels"],
          zone: zone as Node["zone"],
          status: status as Node["status"],
        },
        cpu_millis: (cpu_millis ?? 0) as number,
        memory_mb: (memory_mb ?? 0) as number,
        storage_gb: (storage_gb ?? 0) as number,
        n: (n ?? 0) as number,
      });
    }
    return out;
  }

  count(): number {
    return this.db.select({ n: count() }).from(nodes).get()!.n;
  }

  add(address: string, body: JoinNodeBody, at: string): Node {
    const joined = {
      node_type: body.node_type,
      endpoint: body.endpoint,
      capabilities: JSON.stringify(body.capabilities),
      labels: JSON.stringify(body.labels),
      zone: body.zone ?? null,
      status: "ready" as const,
    };
    // A node that joins again keeps its first joined_at.
    this.db.insert(nodes).values({ address, ...joined, joined_at: at }).onConflictDoUpdate({ target: nodes.address, set: joined }).run();
    return this.get(address)!;
  }

  /** What a node last reported: its heartbeat time (ms) and its usage JSON. */
  reported(address: string): { last_heartbeat: number | null; usage: string | null } | undefined {
    return this.db.select({ last_heartbeat: nodes.last_heartbeat, usage: nodes.usage }).from(nodes).where(eq(nodes.address, address)).get();
  }

  /** reported() of every node in one query. */
  allReported(): Map<string, { last_heartbeat: number | null; usage: string | null }> {
    const rows = this.db.select({ address: nodes.address, last_heartbeat: nodes.last_heartbeat, usage: nodes.usage }).from(nodes).all();
    return new Map(rows.map(({ address, ...r }) => [address, r]));
  }

  heartbeat(address: string, at: number, usage: unknown): void {
    this.db.update(nodes).set({ last_heartbeat: at, usage: JSON.stringify(usage) }).where(eq(nodes.address, address)).run();
  }

  setStatus(address: string, status: Node["status"]): void {
    this.db.update(nodes).set({ status }).where(eq(nodes.address, address)).run();
  }

  remove(address: string): void {
    this.db.delete(nodes).where(eq(nodes.address, address)).run();
  }
}
