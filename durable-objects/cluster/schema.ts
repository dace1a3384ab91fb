import { blob, index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Role } from "../../protocol/api/common.ts";
import type { Node } from "../../protocol/api/node.ts";
import type { Replica } from "../../protocol/api/workload.ts";

export * from "../shared/schema.ts";
export * from "../shared/tlog-schema.ts";
export * from "../shared/audit-schema.ts";

export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const roles = sqliteTable("roles", {
  address: text("address").primaryKey(),
  role: text("role").$type<Role>().notNull(),
  granted_by: text("granted_by").notNull(),
  granted_at: text("granted_at").notNull(),
});

export const joinTokens = sqliteTable("join_tokens", {
  token_hash: text("token_hash").primaryKey(),
  expires_at: integer("expires_at").notNull(),
  created_by: text("created_by").notNull(),
  used_by: text("used_by"),
});

export const nodes = sqliteTable("nodes", {
  address: text("address").primaryKey(),
  node_type: text("node_type").$type<Node["node_type"]>().notNull(),
  endpoint: text("endpoint").notNull(),
  capabilities: text("capabilities").notNull(),
  labels: text("labels").notNull(),
  zone: text("zone"),
  status: text("status").$type<Node["status"]>().notNull(),
  joined_at: text("joined_at").notNull(),
  last_heartbeat: integer("last_heartbeat"),
  usage: text("usage"),
});

export const workloads = sqliteTable("workloads", {
  name: text("name").primaryKey(),
  spec: text("spec").notNull(),
  version: integer("version").notNull(),
  created_by: text("created_by").notNull(),
  created_at: text("created_at").notNull(),
  updated_at: text("updated_at").notNull(),
  next_replica: integer("next_replica").notNull().default(0),
  /** The rolling update in progress or last finished (JSON RolloutState), null before any update. */
  rollout: text("rollout"),
  /** ms since the epoch when `enc rm` began; the row goes once its replicas have stopped */
  deleting: integer("deleting"),
});

/** A workload's replicas; `node` is null while a replica waits for room. */
export const replicas = sqliteTable(
  "replicas",
  {
    id: text("id").primaryKey(),
    workload: text("workload").notNull(),
    replica_type: text("replica_type").$type<Replica["replica_type"]>().notNull().default("primary"),
    node: text("node"),
    status: text("status").$type<Replica["status"]>().notNull(),
    container: text("container").notNull(),
    endpoint: text("endpoint"),
    exit_code: integer("exit_code"),
    restarts: integer("restarts").notNull().default(0),
    /** the agent's own count at its last report: it starts again at 0 when the container is re-created */
    restarts_seen: integer("restarts_seen").notNull().default(0),
    reason: text("reason"),
    cpu_millis: integer("cpu_millis").notNull(),
    memory_mb: integer("memory_mb").notNull(),
    storage_gb: real("storage_gb").notNull(),
    created_at: text("created_at").notNull(),
    updated_at: text("updated_at").notNull(),
    healthy: integer("healthy"),
    spec_version: integer("spec_version").notNull().default(1),
    cpu_percent: real("cpu_percent"),
    /** ReplicaBackOff JSON while the node reports the replica crash-looping or failing to pull */
    backoff: text("backoff"),
    /** Set when the replica is to go: the gateway stops sending to it at once, agents stop it at this time (ms). */
    retire_at: integer("retire_at"),
    /** Set when the replica's workload is removed: its agent stops it now, with this grace (s; null: the agent's default). */
    stop_grace_s: integer("stop_grace_s"),
    /** The replica is being stopped for good (enc rm): listed to its agent with `stop` until it reports the end. */
    stopping: integer("stopping"),
  },
  // The node index carries what placement sums per node, so that GROUP BY reads the index alone
  // (it is also the index for a node's replicas and for the pending ones, node IS NULL).
  (t) => [index("replicas_node_alloc").on(t.node, t.cpu_millis, t.memory_mb, t.storage_gb), index("replicas_workload").on(t.workload)],
);

/**
 * Replicas a node ran and no longer runs (moved away, scaled down, deleted), so its late receipts
 * for them are still accepted. Bounded (workload-store.ts): PAST_ASSIGNMENT_DAYS, PAST_ASSIGNMENTS_PER_NODE.
 */
export const pastAssignments = sqliteTable(
  "past_assignments",
  {
    node: text("node").notNull(),
    replica: text("replica").notNull(),
    workload: text("workload").notNull(),
    /** ms since the epoch when the replica left the node. */
    ended_at: integer("ended_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.node, t.replica] }), index("past_assignments_node_ended").on(t.node, t.ended_at)],
);

/**
 * What nodes report happening to their replicas (pulled, started, exited, back-off…), for
 * `enc events`; the audit log supplies the control plane's side. Bounded: the newest rows stay.
 */
export const events = sqliteTable(
  "events",
  {
    // A rowid: only the oldest rows are pruned, so ids keep growing (the cursor relies on it).
    id: integer("id").primaryKey(),
    at: text("at").notNull(),
    node: text("node").notNull(),
    workload: text("workload").notNull(),
    replica: text("replica").notNull(),
    container: text("container"),
    kind: text("kind").notNull(),
    reason: text("reason"),
  },
  (t) => [index("events_workload").on(t.workload, t.id)],
);

/** The tail of each replica's output (the full witness log stays on its node). */
export const logs = sqliteTable(
  "logs",
  {
    replica: text("replica").notNull(),
    stream: text("stream").notNull(),
    offset: integer("offset").notNull(),
    data: blob("data").$type<Uint8Array>().notNull(),
    /** ms since the epoch when the agent read the chunk (null from agents that did not say) */
    at: integer("at"),
    /** the container that wrote it, for `enc logs --previous` */
    container: text("container"),
  },
  (t) => [primaryKey({ columns: [t.replica, t.stream, t.offset] })],
);

/** Every spec version of a workload, for rolling updates. */
export const workloadSpecs = sqliteTable(
  "workload_specs",
  {
    name: text("name").notNull(),
    version: integer("version").notNull(),
    spec: text("spec").notNull(),
    created_at: text("created_at"),
    created_by: text("created_by"),
    /** why this version exists: deploy, update, set image, undo to N, restart */
    cause: text("cause"),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] })],
);

/** Autoscaling memory: the desired count over time. */
export const scaleHistory = sqliteTable("scale_history", {
  workload: text("workload").notNull(),
  at: integer("at").notNull(),
  desired: integer("desired").notNull(),
});

/** Replays an admin asked a node to run. */
export const replays = sqliteTable("replays", {
  id: text("id").primaryKey(),
  node: text("node").notNull(),
  receipt: text("receipt").notNull(),
  app: text("app").notNull(),
  status: text("status").$type<"requested" | "done">().notNull(),
  verdict: text("verdict").$type<"match" | "mismatch" | "error">(),
  replay_receipt: text("replay_receipt"),
  detail: text("detail"),
  requested_by: text("requested_by").notNull(),
  requested_at: text("requested_at").notNull(),
  finished_at: text("finished_at"),
});

/** The cluster's CEL policies (domain/policy); `hash` is BLAKE3 of the JCS of the PolicyBody. */
export const policies = sqliteTable("policies", {
  name: text("name").primaryKey(),
  expr: text("expr").notNull(),
  action: text("action").notNull(),
  message: text("message").notNull(),
  /** JSON array of PolicyMatch */
  match: text("match").notNull(),
  hash: text("hash").notNull(),
  created_by: text("created_by").notNull(),
  created_at: text("created_at").notNull(),
});

/**
 * Consensus placement (placement.mode "consensus"): each round a replica is placed, with its
 * proposal (the inputs validators check) and the signed answers. A replica runs only once its
 * latest round is committed (k approvals); older rounds stay for `enc placements`.
 */
export const placementRounds = sqliteTable(
  "placement_rounds",
  {
    replica: text("replica").notNull(),
    round: integer("round").notNull(),
    workload: text("workload").notNull(),
    node: text("node").notNull(),
    spec_hash: text("spec_hash").notNull(),
    spec_version: integer("spec_version").notNull(),
    status: text("status").$type<"proposed" | "committed" | "refused" | "superseded">().notNull(),
    /** JSON PlacementProposal */
    proposal: text("proposal").notNull(),
    /** JSON PlacementApproval[] / PlacementRefusal[] */
    approvals: text("approvals").notNull().default("[]"),
    refusals: text("refusals").notNull().default("[]"),
    proposed_at: text("proposed_at").notNull(),
    committed_at: text("committed_at"),
    /** ms: a refused replica is proposed again no sooner than this */
    retry_at: integer("retry_at"),
  },
  (t) => [primaryKey({ columns: [t.replica, t.round] }), index("placement_rounds_workload").on(t.workload), index("placement_rounds_status").on(t.status)],
);

/** Each node's last heartbeat as it signed it (RFC 9421), for validators to check. */
export const signedHeartbeats = sqliteTable("signed_heartbeats", {
  node: text("node").primaryKey(),
  /** JSON SignedRequest */
  request: text("request").notNull(),
  at: integer("at").notNull(),
});
/** Agreements (declarative documents) and what they own; versions in agreement_versions. */
export const agreements = sqliteTable("agreements", {
  name: text("name").primaryKey(),
  type: text("type").notNull(),
  /** the current version (a rollback moves it back without a new version) */
  version: integer("version").notNull(),
  status: text("status").$type<"deploying" | "ready" | "removing">().notNull(),
  /** JSON string[]: workloads this agreement created and still owns; delete removes only these */
  owned: text("owned").notNull(),
  /** JSON string[][]: waves still to apply (deploying) or remove (removing), each after the one before settled */
  pending: text("pending").notNull().default("[]"),
  /** JSON string[]: the wave last applied or removed, which the next waits for */
  current_wave: text("current_wave").notNull().default("[]"),
  created_at: text("created_at").notNull(),
  created_by: text("created_by").notNull(),
  updated_at: text("updated_at").notNull(),
});

/** Every version of an agreement: the normalized documents (content-addressed) and what they compiled to. */
export const agreementVersions = sqliteTable(
  "agreement_versions",
  {
    name: text("name").notNull(),
    version: integer("version").notNull(),
    /** blake3 of the JCS of { type, name, documents } */
    hash: text("hash").notNull(),
    type: text("type").notNull(),
    documents: text("documents").notNull(),
    compiled: text("compiled").notNull(),
    author: text("author").notNull(),
    created_at: text("created_at").notNull(),
    cause: text("cause").notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] })],
);

/**
 * Gateway outcomes per workload per second (the isolates' batches summed): what the pipelines'
 * error-rate gate reads. Pruned after a day, the longest window a gate reads.
 */
export const gatewayTraffic = sqliteTable(
  "gateway_traffic",
  {
    workload: text("workload").notNull(),
    /** unix seconds the requests were answered in (the isolate's clock) */
    second: integer("second").notNull(),
    requests: integer("requests").notNull(),
    errors: integer("errors").notNull(),
    upstream_failures: integer("upstream_failures").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workload, t.second] }), index("gateway_traffic_second").on(t.second)],
);
