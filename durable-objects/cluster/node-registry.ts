import type { JoinNodeBody, Node } from "../../domain/schemas/node.ts";
import { toIso } from "../../protocol/time.ts";
import { all, one } from "../shared/rows.ts";

interface NodeRow {
  address: string;
  node_type: string;
  endpoint: string;
  capabilities: string;
  labels: string;
  zone: string | null;
  status: string;
  joined_at: string;
  last_heartbeat: number | null;
  usage: string | null;
}

export function toNode(r: NodeRow): Node {
  return {
    address: r.address,
    node_type: r.node_type as Node["node_type"],
    endpoint: r.endpoint,
    capabilities: JSON.parse(r.capabilities),
    labels: JSON.parse(r.labels),
    zone: r.zone,
    status: r.status as Node["status"],
    joined_at: r.joined_at,
    last_heartbeat: r.last_heartbeat == null ? null : toIso(r.last_heartbeat),
  };
}

export class NodeRegistry {
  constructor(private readonly sql: SqlStorage) {}

  get(address: string): Node | undefined {
    const r = one<NodeRow>(this.sql, "SELECT * FROM nodes WHERE address = ?", address);
    return r && toNode(r);
  }

  list(): Node[] {
    return all<NodeRow>(this.sql, "SELECT * FROM nodes ORDER BY joined_at, address").map(toNode);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM nodes").one().n;
  }

  add(address: string, body: JoinNodeBody, at: string): Node {
    this.sql.exec(
      `INSERT INTO nodes (address, node_type, endpoint, capabilities, labels, zone, status, joined_at)
       VALUES (?, ?, ?, ?, ?, ?, 'ready', ?)
       ON CONFLICT (address) DO UPDATE SET node_type = excluded.node_type, endpoint = excluded.endpoint,
         capabilities = excluded.capabilities, labels = excluded.labels, zone = excluded.zone, status = 'ready'`,
      address,
      body.node_type,
      body.endpoint,
      JSON.stringify(body.capabilities),
      JSON.stringify(body.labels),
      body.zone ?? null,
      at,
    );
    return this.get(address)!;
  }

  setStatus(address: string, status: Node["status"]): void {
    this.sql.exec("UPDATE nodes SET status = ? WHERE address = ?", status, address);
  }

  remove(address: string): void {
    this.sql.exec("DELETE FROM nodes WHERE address = ?", address);
  }
}
