import { isoNow, toIso } from "../../protocol/time.ts";
import type { Role } from "../../protocol/api/common.ts";
import type { Cluster, ClusterConfig, RoleBinding } from "../../protocol/api/cluster.ts";
import type { JoinNodeBody, Node } from "../../protocol/api/node.ts";
import { AuditLog } from "../shared/audit-log.ts";
import { BaseDO } from "../shared/base-do.ts";
import { attempt, err, reject, type Result } from "../../domain/result.ts";
import { count, sql } from "drizzle-orm";
import { syncSigner } from "../shared/sync-signer.ts";
import { fromBase64 } from "../../protocol/bytes.ts";
import type { HeartbeatBody, LogBatch } from "../../protocol/api/agent.ts";
import type { Replica, RolloutView, WorkloadSpec, WorkloadVersion, WorkloadView } from "../../protocol/api/workload.ts";
import { signDesiredStateSync, type DesiredState } from "../../protocol/desired-state.ts";
import type { AuditEvent } from "../../protocol/schemas.ts";
import type { ChainHead } from "../../protocol/head.ts";
import { Waiters } from "./waiters.ts";
import { EventStore } from "./events.ts";
import { parseCursor } from "../../domain/events/stream.ts";
import type { EventsPage } from "../../protocol/api/events.ts";
import { JoinTokens } from "./join-tokens.ts";
import { previousContainer, readLogs, storeLogs, type LogChunk } from "./logs.ts";
import { WorkloadStore, toReplica } from "./workload-store.ts";
import { checkLiveness, removeNode, setNodeMode } from "./lifecycle.ts";
import { autoscale, scaleWorkload } from "./scaling.ts";
import { progressRollouts, reapRetired, restartRollout, rolloutHistory, rolloutStatus, setRolloutPaused, undoRollout, updateWorkload } from "./rollout.ts";
import { getReplay, pendingReplays, requestReplay, type ReplayView } from "./replays.ts";
import type { ClusterMetrics, LogText } from "../../protocol/api/observe.ts";
import { clusterHealth, clusterMetrics } from "./metrics.ts";
import { cageViolation, deleteWorkload, deployWorkload, placePending } from "./workload-service.ts";
import type { ClusterCtx } from "./context.ts";
import { recordHeartbeat } from "./heartbeat.ts";
import { ClusterMeta } from "./meta-store.ts";
import { ReplayStore } from "./replay-store.ts";
import { ExecQueue } from "./execs.ts";
import type { ExecRequest, ExecOutcome, ExecView } from "../../protocol/api/exec.ts";
import { audit } from "./schema.ts";
import migrations from "./drizzle/migrations.js";
import { LEGACY_CLUSTER_STEPS } from "./legacy-schema.ts";
import { NodeRegistry } from "./node-registry.ts";
import { RoleStore } from "./role-store.ts";
import { canManage, satisfies } from "./roles.ts";
import { ReceiptRate, checkReceiptScope, type ReceiptRef } from "./node-scope.ts";
import type { CreatePipelineBody, Pipeline, Promotion } from "../../protocol/api/pipeline.ts";
import { signComplianceReportSync, type ComplianceReport, type Framework } from "../../protocol/api/compliance.ts";
import { controlsFor } from "../../domain/compliance/report.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import { createPipeline, decide, getPipeline, listPipelines, progressPipelines, promote, type SignedRequest } from "./pipelines.ts";

const LIVENESS_TASK = "liveness";
/** Retiring replicas leave the desired state when their drain ends. */
const REAP_TASK = "reap";
const LIVENESS_EVERY_MS = 2_000;
const AUTOSCALE_EVERY_MS = 15_000;

interface ClusterRecord {
  name: string;
  owner: string;
  created_at: string;
  config: ClusterConfig;
}

/**
 * One per cluster: the single writer of the cluster's nodes, roles, tokens and audit chain.
 * Every public method is one user action: it checks the actor's role and applies the change
 * with its audit entry in one synchronous transaction, then flushes the ledger outbox.
 */
export class ClusterDO extends BaseDO {
  private readonly roles = new RoleStore(this.db);
  private readonly tokens = new JoinTokens(this.db);
  private readonly nodes = new NodeRegistry(this.db);
  private readonly audit = new AuditLog(this.sql, this.outbox, () => this.signer());
  private readonly workloads = new WorkloadStore(this.db, this.sql);
  private readonly meta = new ClusterMeta(this.db);
  private readonly replays = new ReplayStore(this.db);
  private readonly waiters = new Waiters();
  private readonly execs = new ExecQueue();
  /** `enc events --follow` long-polls, woken by every committed change */
  private readonly eventWaiters = new Waiters();
  private readonly events = new EventStore(this.db);
  private readonly receiptRate = new ReceiptRate();
  private nextAutoscale = 0;

  private signer() {
    return syncSigner(this.env.CONTROL_PLANE_KEY, "CONTROL_PLANE_KEY");
  }

  private ctxFor(rec: ClusterRecord): ClusterCtx {
    return {
      cluster: rec.name,
      config: rec.config,
      meta: this.meta,
      audit: this.audit,
      auditSince: (iso) => this.db.select({ n: count() }).from(audit).where(sql`json_extract(${audit.body}, '$.ts') >= ${iso}`).get()!.n,
      nodes: this.nodes,
      workloads: this.workloads,
      replays: this.replays,
      events: this.events,
    };
  }

  /** Like act(), and wakes agents waiting on the desired state if the change moved it. */
  private async actAndNotify<T>(fn: () => T): Promise<Result<T>> {
    const before = this.meta.desiredVersion();
    const res = await this.act(fn);
    if (this.meta.desiredVersion() !== before) this.waiters.wakeAll();
    return res;
  }

  protected schema() {
    return { bundle: migrations, legacy: LEGACY_CLUSTER_STEPS };
  }

  protected async runTask(task: string): Promise<void> {
    if (task === LIVENESS_TASK) {
      const res = await this.actAndNotify(() => {
        this.schedule.done(LIVENESS_TASK);
        const rec = this.record();
        if (!rec) return;
        const ctx = this.ctxFor(rec);
        checkLiveness(ctx, Date.now());
        reapRetired(ctx, Date.now());
        progressRollouts(ctx, Date.now()); // deadlines pass without heartbeats too
        progressPipelines(ctx, Date.now());
        this.armReap();
        if (Date.now() >= this.nextAutoscale) {
          this.nextAutoscale = Date.now() + AUTOSCALE_EVERY_MS;
          autoscale(ctx, Date.now());
        }
        this.armLiveness();
      });
      if (!res.ok) throw new Error(res.problem.detail);
      return;
    }
    if (task === REAP_TASK) {
      const res = await this.actAndNotify(() => {
        this.schedule.done(REAP_TASK);
        const rec = this.record();
        if (!rec) return;
        const ctx = this.ctxFor(rec);
        reapRetired(ctx, Date.now());
        progressRollouts(ctx, Date.now());
        this.armReap();
      });
      if (!res.ok) throw new Error(res.problem.detail);
      return;
    }
    console.warn(`ClusterDO: unknown task ${task} dropped`);
    this.schedule.done(task);
  }

  /** The reap task runs when the first drain ends. */
  private armReap(): void {
    const at = this.workloads.nextRetireAt();
    if (at !== null) this.schedule.at(REAP_TASK, at);
  }

  /** Like actAndNotify(), and arms the reap task for replicas the change began to drain. */
  private async actAndReap<T>(fn: () => T): Promise<Result<T>> {
    return this.actAndNotify(() => {
      const out = fn();
      this.armReap();
      return out;
    });
  }

  /** Liveness is checked every few seconds while any node could still go silent. */
  private armLiveness(): void {
    const live = this.nodes.list().some((n) => n.status !== "down");
    if (live) this.schedule.at(LIVENESS_TASK, Date.now() + LIVENESS_EVERY_MS);
  }

  // -- helpers ---------------------------------------------------------------------------------

  /** "no cluster NAME": the name asked for (this DO's own), so a stranger learns nothing new. */
  private noSuchCluster(): string {
    return this.ctx.id.name ? `no cluster ${this.ctx.id.name}` : "no such cluster";
  }

  private record(): ClusterRecord | undefined {
    return this.meta.record<ClusterRecord>();
  }

  /**
   * The cluster, after checking `actor` holds `role`. A stranger gets the unknown cluster's 404, so
   * existence is not leaked; only a member whose role is too low learns it (403).
   */
  private require(actor: string, role: Role): ClusterRecord {
    const rec = this.record();
    const held = rec ? this.roles.of(actor) : undefined;
    if (!rec || !held) reject(404, this.noSuchCluster(), { field: "cluster" });
    if (!satisfies(held, role)) reject(403, `this action needs the ${role} role in cluster ${rec.name}`);
    return rec;
  }

  private view(rec: ClusterRecord): Cluster {
    return { ...rec, nodes: this.nodes.count() };
  }

  /** Runs a state change atomically; a DomainError rolls it back and becomes a problem. */
  private async act<T>(fn: () => T): Promise<Result<T>> {
    const result = attempt(() => this.ctx.storage.transactionSync(fn));
    if (result.ok) this.eventWaiters.wakeAll();
    if (result.ok) await this.flushSoon();
    return result;
  }

  // -- RPC -------------------------------------------------------------------------------------

  create(actor: string, name: string, config: ClusterConfig): Promise<Result<Cluster>> {
    return this.act(() => {
      if (this.record()) reject(409, `cluster ${name} already exists`, { field: "name" });
      const rec: ClusterRecord = { name, owner: actor, created_at: isoNow(), config };
      this.meta.setRecord(rec);
      this.roles.set(actor, "owner", actor, rec.created_at);
      this.audit.append(name, "ClusterCreated", actor, name, { config });
      return this.view(rec);
    });
  }

  get(actor: string): Result<Cluster> {
    return attempt(() => this.view(this.require(actor, "viewer")));
  }

  /** Role check for actions served outside this DO (notary, ledger reads). */
  authorize(actor: string, role: Role): Result<{ config: ClusterConfig }> {
    return attempt(() => ({ config: this.require(actor, role).config }));
  }

  issueJoinToken(actor: string, ttlS: number): Promise<Result<{ token: string; expires_at: string }>> {
    return this.act(() => {
      const rec = this.require(actor, "admin");
      const { token, expiresAt } = this.tokens.issue(actor, ttlS, Date.now());
      const expires_at = toIso(expiresAt);
      this.audit.append(rec.name, "JoinTokenIssued", actor, rec.name, { expires_at });
      return { token, expires_at };
    });
  }

  /** A node joins with its own key (the request signer) and a single-use token. */
  joinNode(actor: string, body: JoinNodeBody): Promise<Result<Node>> {
    return this.actAndNotify(() => {
      const rec = this.record();
      if (!rec) reject(404, this.noSuchCluster(), { field: "cluster" });
      const held = this.roles.of(actor);
      if (held && held !== "node") reject(409, "this key already holds a management role; nodes need their own key");
      this.tokens.consume(body.token, actor, Date.now());
      if (!this.nodes.get(actor) && this.nodes.count() >= rec.config.max_nodes) {
        reject(409, `cluster ${rec.name} is at max_nodes (${rec.config.max_nodes})`);
      }
      const now = isoNow();
      const node = this.nodes.add(actor, body, now);
      this.roles.set(actor, "node", actor, now);
      const { token: _secret, ...details } = body;
      this.audit.append(rec.name, "NodeAdded", actor, actor, details);
      if (placePending(this.ctxFor(rec), "system") > 0) this.meta.bumpVersion();
      this.armLiveness();
      return node;
    });
  }

  listNodes(actor: string): Result<Node[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      return this.nodes.list();
    });
  }

  listRoles(actor: string): Result<RoleBinding[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      return this.roles.list();
    });
  }

  grantRole(actor: string, address: string, role: Role): Promise<Result<RoleBinding>> {
    return this.act(() => {
      const rec = this.require(actor, "admin");
      const current = this.roles.of(address);
      if (current === "owner" || current === "node") reject(409, `${address} is the cluster's ${current}; that role cannot be changed`, { field: "address" });
      if (!canManage(this.roles.of(actor), role) || (current && !canManage(this.roles.of(actor), current))) {
        reject(403, `your role cannot grant ${role}`);
      }
      const at = isoNow();
      this.roles.set(address, role, actor, at);
      this.audit.append(rec.name, "RoleGranted", actor, address, { role, previous: current ?? null });
      return { address, role, granted_by: actor, granted_at: at };
    });
  }

  revokeRole(actor: string, address: string): Promise<Result<{ address: string; role: Role }>> {
    return this.act(() => {
      const rec = this.require(actor, "admin");
      const current = this.roles.of(address);
      if (!current) reject(404, `${address} holds no role in ${rec.name}`, { field: "address" });
      if (!canManage(this.roles.of(actor), current)) reject(403, `your role cannot revoke ${current}`);
      this.roles.remove(address);
      this.audit.append(rec.name, "RoleRevoked", actor, address, { role: current });
      return { address, role: current };
    });
  }

  /** The audit chain's signed head (viewer), after a flush so D1 has had the chance to catch up. */
  async auditHead(actor: string): Promise<Result<ChainHead>> {
    const rec = attempt(() => this.require(actor, "viewer"));
    if (!rec.ok) return rec;
    await this.flushSoon();
    return attempt(() => this.audit.head(rec.value.name));
  }

  /** An audit entry for an event that happened elsewhere (e.g. a sealed LogBlock). Idempotent. */
  recordEvent(event: AuditEvent, actor: string, subject: string, details: Record<string, unknown>, key: string): Promise<Result<{ seq: number }>> {
    return this.act(() => {
      const rec = this.record();
      if (!rec) reject(404, this.noSuchCluster());
      return { seq: this.audit.append(rec.name, event, actor, subject, details, key).seq };
    });
  }

  // -- workloads -------------------------------------------------------------------------------

  /**
   * Refuses a cage-weakening spec from a caller who could otherwise deploy, with a
   * SecurityViolation audit entry committed on its own (the refused change rolls back).
   */
  private async guardCage<T>(actor: string, spec: WorkloadSpec, run: () => Promise<Result<T>>): Promise<Result<T>> {
    const rec = this.record();
    const role = this.roles.of(actor);
    const v = rec && satisfies(role, "operator") ? cageViolation(spec, role, rec.config) : undefined;
    if (!rec || !v) return run();
    await this.act(() => this.audit.append(rec.name, "SecurityViolation", actor, spec.name, { field: v.field, value: spec.cage.network, role: role ?? null, reason: v.detail }));
    return err(403, v.detail, { field: v.field });
  }

  deployWorkload(actor: string, spec: WorkloadSpec): Promise<Result<{ workload: WorkloadView; replicas: Replica[] }>> {
    return this.guardCage(actor, spec, () => this.actAndNotify(() => {
      const ctx = this.ctxFor(this.require(actor, "operator"));
      const workload = deployWorkload(ctx, actor, spec);
      return { workload, replicas: this.workloads.replicasOf(spec.name).map(toReplica) };
    }));
  }

  getWorkload(actor: string, name: string): Result<{ workload: WorkloadView; replicas: Replica[] }> {
    return attempt(() => {
      this.require(actor, "viewer");
      const workload = this.workloads.get(name);
      if (!workload) reject(404, `no workload ${name}`, { field: "name" });
      return { workload, replicas: this.workloads.replicasOf(name).map(toReplica) };
    });
  }

  listWorkloads(actor: string): Result<{ workload: WorkloadView; replicas: Replica[] }[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      return this.workloads.list().map((workload) => ({ workload, replicas: this.workloads.replicasOf(workload.spec.name).map(toReplica) }));
    });
  }

  deleteWorkload(actor: string, name: string, opts: { graceS?: number; force?: boolean } = {}): Promise<Result<{ deleted: string }>> {
    return this.actAndReap(() => {
      deleteWorkload(this.ctxFor(this.require(actor, "operator")), actor, name, opts);
      return { deleted: name };
    });
  }

  // -- agent channel ---------------------------------------------------------------------------

  heartbeat(actor: string, body: HeartbeatBody): Promise<Result<{ desired_version: number }>> {
    return this.actAndReap(() => {
      const ctx = this.ctxFor(this.require(actor, "node"));
      recordHeartbeat(ctx, actor, body, Date.now());
      progressPipelines(ctx, Date.now()); // a pipeline's health gate reads what the heartbeat reported
      this.armLiveness();
      return { desired_version: this.meta.desiredVersion() };
    });
  }

  /** Long-poll: answers at once if the desired state moved past `since`, else within `waitMs`. */
  async desiredState(actor: string, since: number, waitMs: number): Promise<Result<DesiredState>> {
    const check = attempt(() => this.require(actor, "node"));
    if (!check.ok) return check;
    if (this.meta.desiredVersion() <= since && waitMs > 0) await this.waiters.wait(waitMs);
    return attempt(() => {
      const rec = this.require(actor, "node");
      const replicas = this.workloads.replicasOn(actor).flatMap((r) => {
        const spec = this.workloads.specFor(r.workload, r.spec_version);
        // A replica of a removed workload: its agent stops it now, with the grace asked for.
        const stop = r.stopping ? { stop: r.stop_grace_s == null ? {} : { grace_s: r.stop_grace_s } } : {};
        return spec ? [{ id: r.id, workload: r.workload, replica_type: r.replica_type, spec, ...stop }] : [];
      });
      const replays = pendingReplays(this.ctxFor(rec), actor);
      const execs = this.execs.pendingOn(actor, Date.now());
      return signDesiredStateSync(
        { v: 1, cluster: rec.name, node: actor, version: this.meta.desiredVersion(), issued_at: isoNow(), replicas, replays, ...(execs.length ? { execs } : {}) },
        this.signer(),
      );
    });
  }

  /**
   * Before a node's receipts reach the notaries: the batch must be within the node's rate. One call
   * per batch, so a refused batch opens no NotaryDO.
   */
  admitReceipts(actor: string, refs: ReceiptRef[]): Result<{ checked: number }> {
    return attempt(() => {
      this.require(actor, "node");
      const now = Date.now();
      this.receiptRate.take(actor, refs.length, now);
      // One look at the node's assignments per batch, before any notary is opened.
      checkReceiptScope(refs, { replicas: this.workloads.assignmentsOf(actor, now), replayApps: this.replays.appsOn(actor) }, now);
      return { checked: refs.length };
    });
  }

  pushLogs(actor: string, batch: LogBatch): Promise<Result<{ stored: number }>> {
    return this.act(() => {
      this.require(actor, "node");
      const chunks: LogChunk[] = [];
      for (const e of batch.entries) {
        const r = this.workloads.replica(e.replica);
        if (r && r.node === actor)
          chunks.push({ replica: e.replica, stream: e.stream, offset: e.offset, data: fromBase64(e.data), at: e.at ? Date.parse(e.at) : undefined, container: e.container });
      }
      storeLogs(this.db, chunks);
      return { stored: chunks.length };
    });
  }

  logs(
    actor: string,
    workload: string,
    replica: string | undefined,
    q: { tailBytes: number; since?: number; previous?: boolean; timestamps?: boolean },
  ): Result<LogText[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      if (!this.workloads.get(workload)) reject(404, `no workload ${workload}`, { field: "name" });
      const rs = this.workloads.replicasOf(workload).filter((r) => !replica || r.id === replica);
      if (replica && rs.length === 0) reject(404, `no replica ${replica} in ${workload}`, { field: "replica" });
      if (!q.previous) return rs.flatMap((r) => readLogs(this.db, r.id, q));
      // Like kubectl's --previous: what the container before the replica's current one wrote.
      const out = rs.flatMap((r) => {
        const container = previousContainer(this.db, r.id, r.container);
        return container === undefined ? [] : readLogs(this.db, r.id, { ...q, container });
      });
      if (replica && out.length === 0) reject(404, `replica ${replica} has no previous container with output`, { field: "previous" });
      return out;
    });
  }

  /** cordon | drain | ready (uncordon) a node (operator). */
  setNodeMode(actor: string, address: string, mode: "cordoned" | "draining" | "ready"): Promise<Result<Node>> {
    return this.actAndNotify(() => setNodeMode(this.ctxFor(this.require(actor, "operator")), actor, address, mode));
  }

  /** Removes a node and revokes its key in one transaction (admin): every later request of it gets 403. */
  removeNode(actor: string, address: string): Promise<Result<Node>> {
    return this.actAndNotify(() => {
      const node = removeNode(this.ctxFor(this.require(actor, "admin")), actor, address);
      if (this.roles.of(address) === "node") this.roles.remove(address);
      this.receiptRate.forget(address);
      this.workloads.forgetNode(address);
      return node;
    });
  }

  /** `via` (e.g. `{ via: "console" }`) is recorded in the audit entries the change writes. */
  scaleWorkload(actor: string, name: string, replicas: number, via?: Record<string, unknown>): Promise<Result<{ replicas: Replica[] }>> {
    return this.actAndReap(() =>
      this.audit.through(via, () => {
        scaleWorkload(this.ctxFor(this.require(actor, "operator")), actor, name, replicas, { manual: true });
        return { replicas: this.workloads.replicasOf(name).map(toReplica) };
      }),
    );
  }

  /**
   * The event stream (viewer): the newest `limit` events, or those after `after`. A request
   * with a cursor and `waitMs` that finds nothing new is held until a change commits (a
   * heartbeat, a deploy…) or the wait ends: a long poll, as the agents' desired state is.
   */
  async eventsPage(actor: string, q: { after?: string; workload?: string; limit: number; waitMs: number }): Promise<Result<EventsPage>> {
    const deadline = Date.now() + q.waitMs;
    for (;;) {
      const page = attempt(() => {
        // A workload that does not exist (yet, or any more) is no error: one may follow it before
        // deploying it, and a deleted one's history stays.
        this.require(actor, "viewer");
        return this.events.page(q.after ? parseCursor(q.after) : undefined, q.workload, q.limit);
      });
      if (!page.ok || page.value.events.length || !q.after || Date.now() >= deadline) return page;
      q = { ...q, after: page.value.cursor };
      await this.eventWaiters.wait(deadline - Date.now());
    }
  }

  metrics(actor: string): Result<ClusterMetrics> {
    return attempt(() => clusterMetrics(this.ctxFor(this.require(actor, "viewer")), Date.now()));
  }

  health(actor: string): Result<ReturnType<typeof clusterHealth>> {
    return attempt(() => clusterHealth(this.ctxFor(this.require(actor, "viewer")), Date.now()));
  }

  /**
   * Where the gateway may send traffic for a workload: running, not unhealthy replicas with an
   * endpoint. Public data for the gateway only (called by the Worker, not by users).
   */
  serviceTargets(workload: string): Result<{ wallet_authentication: boolean; algorithm: string; targets: { replica: string; node: string; endpoint: string }[] }> {
    return attempt(() => {
      const rec = this.record();
      if (!rec) reject(404, this.noSuchCluster(), { field: "cluster" });
      const wl = this.workloads.get(workload);
      if (!wl) reject(404, `no workload ${workload}`, { field: "workload" });
      const checked = !!(wl.spec.health_check?.http_path || wl.spec.health_check?.command?.length);
      const targets = this.workloads
        .replicasOf(workload)
        // With a health check, only a replica that passed it serves: a new one is not sent
        // requests before it listens. Without one, running is all there is to know.
        .filter((r) => r.status === "running" && r.retire_at == null && r.endpoint && (checked ? r.healthy === 1 : r.healthy !== 0) && r.node && this.nodes.get(r.node)?.status !== "down")
        .map((r) => ({ replica: r.id, node: r.node!, endpoint: r.endpoint! }));
      return { wallet_authentication: wl.spec.wallet_authentication, algorithm: wl.spec.load_balancing_algorithm ?? rec.config.load_balancing_algorithm, targets };
    });
  }

  requestReplay(actor: string, receipt: string, node: string, app: string): Promise<Result<ReplayView>> {
    return this.actAndNotify(() => requestReplay(this.ctxFor(this.require(actor, "admin")), actor, receipt, node, app));
  }

  getReplay(actor: string, id: string): Result<ReplayView> {
    return attempt(() => {
      const r = getReplay(this.ctxFor(this.require(actor, "viewer")), id);
      if (!r) reject(404, `no replay ${id}`, { field: "id" });
      return r;
    });
  }

  updateWorkload(actor: string, spec: WorkloadSpec, cause = "update"): Promise<Result<{ workload: WorkloadView; replicas: Replica[]; changed: string[] }>> {
    return this.guardCage(actor, spec, () => this.actAndReap(() => {
      const { workload, changed } = updateWorkload(this.ctxFor(this.require(actor, "operator")), actor, spec, cause);
      return { workload, replicas: this.workloads.replicasOf(spec.name).map(toReplica), changed };
    }));
  }

  // -- exec ------------------------------------------------------------------------------------

  /** Queues `enc exec` for the node that runs the replica (operator), audited as ReplicaExec. */
  requestExec(actor: string, req: ExecRequest): Promise<Result<ExecView>> {
    return this.actAndNotify(() => {
      const rec = this.require(actor, "operator");
      const r = this.workloads.replica(req.replica);
      if (!r) reject(404, `no replica ${req.replica} in cluster ${rec.name}`, { field: "replica" });
      if (!r.node || r.status !== "running") reject(409, `replica ${req.replica} is not running (it is ${r.status}); exec needs a running container`, { field: "replica" });
      const view = this.execs.add(req, r.node, actor, Date.now());
      // The command is recorded, never stdin (it may carry secrets).
      this.audit.append(rec.name, "ReplicaExec", actor, req.replica, { exec: view.id, node: r.node, workload: r.workload, command: req.command });
      this.meta.bumpVersion();
      return view;
    });
  }

  /** An exec and, once its node answered, its output (operator); waits up to `waitMs` for the answer. */
  async getExec(actor: string, id: string, waitMs: number): Promise<Result<ExecView>> {
    const first = attempt(() => {
      this.require(actor, "operator");
      const v = this.execs.get(id, Date.now());
      if (!v) reject(404, `no exec ${id}`, { field: "id" });
      return v;
    });
    if (!first.ok || first.value.status === "done") return first;
    await this.execs.wait(id, waitMs);
    return attempt(() => this.execs.get(id, Date.now())!);
  }

  /**
   * May `actor` attach to the terminal session of exec `id` (the requester as `user`, the ordered
   * node as `agent`)? The Worker then hands the upgrade to that exec's relay (ExecSessionDO).
   */
  checkExecAttach(actor: string, id: string, side: "user" | "agent"): Result<{ expires_in_ms: number }> {
    return attempt(() => {
      this.require(actor, side === "user" ? "operator" : "node");
      const why = this.execs.attachRefusal(id, actor, side, Date.now());
      if (why) reject(why.status, why.detail, { field: "id" });
      const v = this.execs.get(id, Date.now())!;
      return { expires_in_ms: Math.max(0, Date.parse(v.expires_at) - Date.now()) + (this.execs.timeoutOf(id) ?? 0) * 1000 + 10_000 };
    });
  }

  /** A node's answer to an exec it was ordered to run (node). */
  execResult(actor: string, id: string, result: ExecOutcome): Result<{ recorded: true }> {
    return attempt(() => {
      this.require(actor, "node");
      if (!this.execs.report(actor, id, result, Date.now())) reject(404, `no open exec ${id} for this node`, { field: "id" });
      return { recorded: true as const };
    });
  }

  // -- rollout ---------------------------------------------------------------------------------

  rolloutStatus(actor: string, name: string): Result<RolloutView> {
    return attempt(() => rolloutStatus(this.ctxFor(this.require(actor, "viewer")), name));
  }

  rolloutHistory(actor: string, name: string): Result<WorkloadVersion[]> {
    return attempt(() => rolloutHistory(this.ctxFor(this.require(actor, "viewer")), name));
  }

  /** undo | restart | pause | resume (operator). */
  rolloutAction(
    actor: string,
    name: string,
    action: "undo" | "restart" | "pause" | "resume",
    toVersion?: number,
    via?: Record<string, unknown>,
  ): Promise<Result<RolloutView & { changed?: string[] }>> {
    return this.actAndReap(() =>
      this.audit.through(via, () => {
        const ctx = this.ctxFor(this.require(actor, "operator"));
        let changed: string[] | undefined;
        if (action === "undo") changed = undoRollout(ctx, actor, name, toVersion).changed;
        else if (action === "restart") restartRollout(ctx, actor, name);
        else setRolloutPaused(ctx, actor, name, action === "pause");
        return { ...rolloutStatus(ctx, name), ...(changed ? { changed } : {}) };
      }),
    );
  }

  // -- pipelines -------------------------------------------------------------------------------

  createPipeline(actor: string, body: CreatePipelineBody): Promise<Result<Pipeline>> {
    return this.act(() => createPipeline(this.ctxFor(this.require(actor, "admin")), actor, body));
  }

  listPipelines(actor: string): Result<Pipeline[]> {
    return attempt(() => listPipelines(this.ctxFor(this.require(actor, "viewer"))));
  }

  /** A pipeline with its gates evaluated now (a read that may record a gate's result). */
  pipelineStatus(actor: string, name: string): Promise<Result<Pipeline>> {
    return this.actAndReap(() => {
      const ctx = this.ctxFor(this.require(actor, "viewer"));
      progressPipelines(ctx, Date.now());
      return getPipeline(ctx, name);
    });
  }

  /** The signer of the promote is the change's author, who can never approve it (operator). */
  promote(actor: string, name: string, to: string | undefined, signed: SignedRequest): Promise<Result<Promotion>> {
    return this.actAndReap(() => promote(this.ctxFor(this.require(actor, "operator")), actor, name, to, signed));
  }

  /** approve | reject a promotion: the pipeline's role is checked against this cluster's roles. */
  decidePromotion(actor: string, name: string, id: string, decision: "approve" | "reject", signed: SignedRequest, comment?: string): Promise<Result<Promotion>> {
    return this.actAndReap(() => {
      const ctx = this.ctxFor(this.require(actor, "viewer"));
      const held = this.roles.of(actor);
      return decide(ctx, actor, (role) => satisfies(held, role), name, id, decision, signed, comment);
    });
  }

  // -- compliance evidence -----------------------------------------------------------------------

  /**
   * Evidence for `framework` computed from the audit chain this DO holds (not D1's mirror), signed
   * by the control-plane key with the chain's signed head it was computed from (viewer).
   */
  complianceReport(actor: string, framework: Framework, from?: string, to?: string): Result<ComplianceReport> {
    return attempt(() => {
      const rec = this.require(actor, "viewer");
      const head = this.audit.head(rec.name);
      const all = this.sql.exec<{ body: string }>("SELECT body FROM audit WHERE seq <= ? ORDER BY seq", head.size).toArray().map((r) => JSON.parse(r.body) as AuditEntry);
      const entries = all.filter((e) => (!from || e.ts >= from) && (!to || e.ts <= to));
      // Witness cosignatures are not kept by this control plane (yet): the whole period is unwitnessed, and the report says so.
      const witnessGap = "no witness cosignatures are recorded for this cluster's audit log: the period is unwitnessed (only the control plane's own signed head vouches for it)";
      return signComplianceReportSync(
        {
          v: 1,
          kind: "compliance-evidence",
          framework,
          cluster: rec.name,
          period: { from: from ?? null, to: to ?? null },
          generated_at: isoNow(),
          ledger: { head, entries_in_period: entries.length },
          transparency: { checkpoints: `the audit chain's head, signed by the control-plane key: size ${head.size}`, witnesses: "none recorded" },
          controls: controlsFor(framework, { entries, witnessGap }),
        },
        this.signer(),
      );
    });
  }
}
