import { isoNow, toIso } from "../../protocol/time.ts";
import type { Role } from "../../protocol/api/common.ts";
import type { Cluster, ClusterConfig, RoleBinding } from "../../protocol/api/cluster.ts";
import type { JoinNodeBody, Node } from "../../protocol/api/node.ts";
import { AuditLog } from "../shared/audit-log.ts";
import { TlogStore, logVkey, type TlogHead } from "../shared/tlog-store.ts";
import { auditLogOrigin } from "../../domain/notary/tlog.ts";
import { BaseDO } from "../shared/base-do.ts";
import { WitnessDesk, witnessFailure } from "../shared/witness-desk.ts";
import type { WitnessEndpoint } from "../../protocol/api/witness.ts";
import { attempt, err, reject, type Result } from "../../domain/result.ts";
import { count, sql } from "drizzle-orm";
import { mldsaSyncSigner, syncSigner } from "../shared/sync-signer.ts";
import { fromBase64 } from "../../protocol/bytes.ts";
import type { HeartbeatBody, LogBatch } from "../../protocol/api/agent.ts";
import type { Replica, RolloutView, WorkloadSpec, WorkloadVersion, WorkloadView, WorkloadWithReplicas } from "../../protocol/api/workload.ts";
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
import { progressRollouts, reapRetired, restartRollout, rolloutHistory, rolloutStatus, setRolloutPaused, undoRollout, undoTarget, updateWorkload } from "./rollout.ts";
import { getReplay, pendingReplays, requestReplay, type ReplayView } from "./replays.ts";
import type { ClusterMetrics, LogText } from "../../protocol/api/observe.ts";
import { clusterHealth, clusterMetrics } from "./metrics.ts";
import { cageViolation, deleteWorkload, deployWorkload, placePending } from "./workload-service.ts";
import type { ClusterCtx } from "./context.ts";
import { recordHeartbeat } from "./heartbeat.ts";
import { ClusterMeta } from "./meta-store.ts";
import { ReplayStore } from "./replay-store.ts";
import { CageJobs, type CageJobRecord } from "./cage-jobs.ts";
import type { CageReplica } from "../../domain/agreements/cage-verdict.ts";
import type { CageVerdict } from "../../protocol/api/cage.ts";
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
import {
  createPipeline, decide as decidePromotionStep, getPipeline, listPipelines, pipelineViolation, progressPipelines, promote, promotionPlan, promotionTarget,
  recordApplied, recordApplyFailed, recordVerification, remoteCluster, remoteVerifying, rollbackLocal, snapshotStage, stuckApplying, trafficFrom, verification,
  type PipelineRef, type RequestSignature, type StageSnapshot,
} from "./pipelines.ts";
import { GatewayTraffic, MAX_TRAFFIC_ROWS, type TrafficRow } from "./gateway-traffic.ts";
import { promotedSpec } from "../../domain/pipelines/gates.ts";
import type { PipelineStage } from "../../protocol/api/pipeline.ts";
import { PolicyStore } from "./policy-store.ts";
import { policyInput, violationDetails } from "./governance.ts";
import type { Policy, PolicyBody, PolicyDecision, PolicyInput, PolicyMatch, PolicyTestResult } from "../../protocol/api/policy.ts";
import { compilePolicy, decide, evaluatePolicies, policyHash } from "../../domain/policy/policy.ts";
import { configViolation, rank, withLevel, workloadViolation, type LevelViolation } from "../../domain/policy/security-level.ts";
import type { SecurityLevel } from "../../protocol/api/cluster.ts";
import { ConsensusStore, approvedPlacement, consensusOn, placementViews, proposalsFor, recordAnswer } from "./consensus.ts";
import type { PlacementAnswer, PlacementView, SignedRequest, ValidatorSet, ValidatorSetChange } from "../../protocol/api/placement.ts";
import { applyValidatorSetChange, verifyPlacementApproval, verifyPlacementRefusal } from "../../protocol/placement-approval.ts";
import { AgreementStore } from "./agreement-store.ts";
import { agreementHistory, applyAgreement, cageViolations, deleteAgreement, listAgreements, progressAgreements, rollbackAgreement, showAgreement, validateAgreements, type ApplyOutcome } from "./agreements.ts";
import type { CompiledUnit } from "../../domain/agreements/compile.ts";
import type { RegistryBinding } from "../../domain/agreements/types.ts";
import type { AgreementSummary, AgreementValidation, AgreementVersion, AgreementView } from "../../protocol/api/agreement.ts";

const LIVENESS_TASK = "liveness";
/** Promotions into another cluster are verified on this tick (that cluster's heartbeats do not reach here). */
const PIPELINE_TASK = "pipelines";
const PIPELINE_EVERY_MS = 2_000;
/** An apply not finished after this long (and not running in this instance) is reported halted with what the target holds. */
const STUCK_APPLYING_MS = 60_000;
/** Retiring replicas leave the desired state when their drain ends. */
const REAP_TASK = "reap";
/** Send the audit log's newest checkpoint to the cluster's witnesses (PROTOCOL.md §7). */
const WITNESS_TASK = "witness";
const LIVENESS_EVERY_MS = 2_000;
const AUTOSCALE_EVERY_MS = 15_000;
/**
 * A deploy's audit entries reach D1 this long after it committed, by the alarm, in one D1 call
 * for everything committed meanwhile: D1 is not on the deploy's path. Every reader of the D1
 * audit mirror goes through flushLedger() (or auditHead()) first; other changes still flush
 * before they answer, taking any deferred entries with them.
 */
export const AUDIT_FLUSH_DELAY_MS = 1_000;

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
  private readonly roles = new RoleStore(this.db, this.sql);
  private readonly tokens = new JoinTokens(this.db);
  private readonly nodes = new NodeRegistry(this.db, this.sql);
  /** What the cluster's witnesses cosigned of its audit log (PROTOCOL.md §7). */
  private readonly auditWitnesses = new WitnessDesk(this.ctx.storage.kv);
  private readonly auditTlog = new TlogStore(this.sql, (from, count) => AuditLog.entries(this.sql, from, count));
  private readonly audit = new AuditLog(
    this.sql,
    this.outbox,
    () => this.signer(),
    () => (this.meta.quantumSafe() ? mldsaSyncSigner(this.env.CONTROL_PLANE_MLDSA_KEY, "CONTROL_PLANE_MLDSA_KEY") : undefined),
    { store: this.auditTlog, origin: (c) => auditLogOrigin(this.env, c) },
  );
  private readonly workloads = new WorkloadStore(this.db, this.sql);
  private readonly meta = new ClusterMeta(this.db, this.sql);
  private readonly replays = new ReplayStore(this.db);
  private readonly cageJobs = new CageJobs(this.db);
  private readonly waiters = new Waiters();
  private readonly execs = new ExecQueue();
  /** `enc events --follow` long-polls, woken by every committed change */
  private readonly eventWaiters = new Waiters();
  private readonly events = new EventStore(this.db);
  private readonly receiptRate = new ReceiptRate();
  private readonly policies = new PolicyStore(this.db, this.sql);
  private readonly consensus = new ConsensusStore(this.db);
  private readonly agreements = new AgreementStore(this.db);
  private readonly traffic = new GatewayTraffic(this.db);
  /** One verification of remote promotions at a time: it awaits other clusters between its reads and writes. */
  private remoteProgress: Promise<void> | undefined;
  /** Promotions whose change this instance is making now (see stuckApplying). */
  private readonly applyingNow = new Set<string>();
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
      consensus: this.consensus,
      traffic: this.traffic,
    };
  }

  /** Like act(), and wakes agents waiting on the desired state if the change moved it. */
  private async actAndNotify<T>(fn: () => T, flush: "now" | "deferred" = "now"): Promise<Result<T>> {
    const before = this.meta.desiredVersion();
    const res = await this.act(fn, flush);
    if (this.meta.desiredVersion() !== before) this.waiters.wakeAll();
    return res;
  }

  protected schema() {
    return { bundle: migrations, legacy: LEGACY_CLUSTER_STEPS };
  }

  protected outboxDelayMs(): number {
    return AUDIT_FLUSH_DELAY_MS;
  }

  protected async runTask(task: string): Promise<void> {
    if (task === WITNESS_TASK) return this.witnessAudit();
    if (task === PIPELINE_TASK) {
      this.schedule.done(PIPELINE_TASK);
      await this.progressRemote();
      return;
    }
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
        progressAgreements(ctx, this.agreements); // the next wave once the one before is ready
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
  private async actAndReap<T>(fn: () => T, flush: "now" | "deferred" = "now"): Promise<Result<T>> {
    return this.actAndNotify(() => {
      const out = fn();
      this.armReap();
      return out;
    }, flush);
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

  /**
   * Runs a state change atomically; a DomainError rolls it back and becomes a problem. With
   * `deferred`, the answer does not wait for D1: the entries, their outbox row and the flush alarm
   * committed together, so the alarm sends them within AUDIT_FLUSH_DELAY_MS even if this
   * instance is lost, and readers of D1 flush first (flushLedger). The checkpoint is signed now.
   */
  private async act<T>(fn: () => T, flush: "now" | "deferred" = "now"): Promise<Result<T>> {
    const result = attempt(() => this.ctx.storage.transactionSync(fn));
    if (result.ok) this.eventWaiters.wakeAll();
    if (result.ok && flush === "deferred") this.checkpointAudit();
    else if (result.ok) await this.flushSoon();
    return result;
  }

  // -- RPC -------------------------------------------------------------------------------------

  create(actor: string, name: string, config: ClusterConfig): Promise<Result<Cluster>> {
    return this.act(() => {
      if (this.record()) reject(409, `cluster ${name} already exists`, { field: "name" });
      config = withLevel(config, config.security_level);
      const cv = configViolation(config);
      if (cv) reject(422, cv.detail, { field: cv.field, level: cv.level, rule: cv.rule });
      const rec: ClusterRecord = { name, owner: actor, created_at: isoNow(), config };
      this.meta.setRecord(rec);
      this.roles.set(actor, "owner", actor, rec.created_at);
      this.audit.append(name, "ClusterCreated", actor, name, { config });
      return this.view(rec);
    });
  }

  /**
   * Raises config.quantum_safe (PROTOCOL.md §15); never lowered. The setting is stored before its
   * audit entry is appended, so that entry is the chain's first co-signed one: verifiers read the
   * boundary from the chain itself. Already on: nothing changes, no entry.
   */
  enableQuantumSafe(actor: string): Promise<Result<Cluster>> {
    return this.act(() => {
      const rec = this.require(actor, "admin");
      if (rec.config.quantum_safe) return this.view(rec);
      const next: ClusterRecord = { ...rec, config: { ...rec.config, quantum_safe: true } };
      this.meta.setRecord(next);
      this.audit.append(rec.name, "QuantumSafeEnabled", actor, rec.name, { quantum_safe: true });
      return this.view(next);
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
      if (consensusOn(rec.config)) {
        // The validator set is fixed (README "Consensus placement"): a validator key joins as one.
        const set = this.consensus.currentSet(rec.name, rec.config);
        const member = set.validators.includes(actor);
        if (body.node_type === "validator" && !member) reject(409, `this key is not in the validator set of ${rec.name} (epoch ${set.epoch}); the set changes only by a change k validators signed`, { field: "node_type" });
        if (member && body.node_type !== "validator") reject(409, "this key is in the validator set: join it with node_type validator", { field: "node_type" });
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

  grantRole(actor: string, address: string, role: Role): Promise<Result<RoleBinding & { warnings?: string[] }>> {
    const subject = () => {
      const current = this.roles.of(address);
      return { name: address, object: { address, role }, oldObject: current ? { address, role: current } : null };
    };
    return this.governed(actor, "admin", "role", subject, (decided) => this.act(() => {
      decided();
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
    }));
  }

  revokeRole(actor: string, address: string): Promise<Result<{ address: string; role: Role; warnings?: string[] }>> {
    const subject = () => {
      const current = this.roles.of(address);
      return current && { name: address, object: { address, role: null }, oldObject: { address, role: current } };
    };
    return this.governed(actor, "admin", "role", subject, (decided) => this.act(() => {
      decided();
      const rec = this.require(actor, "admin");
      const current = this.roles.of(address);
      if (!current) reject(404, `${address} holds no role in ${rec.name}`, { field: "address" });
      if (!canManage(this.roles.of(actor), current)) reject(403, `your role cannot revoke ${current}`);
      this.roles.remove(address);
      this.audit.append(rec.name, "RoleRevoked", actor, address, { role: current });
      return { address, role: current };
    }));
  }

  /** The audit chain's signed head (viewer), after a flush so D1 has had the chance to catch up. */
  async auditHead(actor: string): Promise<Result<ChainHead>> {
    const rec = attempt(() => this.require(actor, "viewer"));
    if (!rec.ok) return rec;
    await this.flushSoon();
    return attempt(() => this.audit.head(rec.value.name));
  }

  // -- The audit chain as a C2SP log (PROTOCOL.md §6) ------------------------------------------

  /** A checkpoint at every flush: whatever state change appended entries is covered once flushed. */
  protected override async flushSoon(): Promise<void> {
    this.checkpointAudit();
    await super.flushSoon();
  }

  /** Signs a checkpoint of the audit log if it grew, and wakes the witnesses if they are behind. */
  private checkpointAudit(): void {
    const rec = this.record();
    if (rec) this.ctx.storage.transactionSync(() => this.audit.checkpoint(rec.name));
    const head = rec && rec.config.witnesses?.length ? this.auditTlog.latest() : null;
    if (head && rec && this.auditWitnesses.behind(head.size, rec.config.witnesses)) this.schedule.at(WITNESS_TASK, Date.now());
  }

  /**
   * Read barrier for the cluster's D1 audit mirror: resolves once everything committed before
   * the call is in D1 (or the flush failed and is left to the alarm; the reader then sees D1 as
   * it is). Every Worker path that reads audit_entries calls it (or auditHead) first.
   */
  async flushLedger(): Promise<void> {
    await this.flushSoon();
  }

  /** The witnesses of this cluster (config.witnesses), for its app logs' notaries. */
  witnessEndpoints(): WitnessEndpoint[] {
    return this.record()?.config.witnesses ?? [];
  }

  /** As NotaryDO.witness, for the audit log: a failure throws, so the alarm retries with back-off. */
  private async witnessAudit(): Promise<void> {
    const rec = this.record();
    const head = this.auditTlog.latest();
    const configured = rec?.config.witnesses ?? [];
    if (!head || configured.length === 0) return this.schedule.done(WITNESS_TASK);
    const round = await this.auditWitnesses.submit(configured, head, (m, n) => this.auditTlog.consistency(m, n), (req) => fetch(req));
    if (this.auditTlog.latest()?.size !== head.size) return;
    if (round.failures.length) throw witnessFailure(round.failures);
    this.schedule.done(WITNESS_TASK);
  }

  /** Who may read this cluster's log tiles unsigned, and its witnesses' vkeys; null when no cluster. */
  logAccess(): { public_log: boolean; witnesses: string[] } | null {
    const rec = this.record();
    if (!rec) return null;
    const witnesses = (rec.config as { witnesses?: { vkey: string }[] }).witnesses ?? [];
    return { public_log: rec.config.public_log === true, witnesses: witnesses.map((w) => w.vkey) };
  }

  /** The audit log's newest checkpoint (signed now if entries arrived since). Public. */
  auditLogCheckpoint(): Result<TlogHead> {
    return attempt(() => {
      const rec = this.record() ?? reject(404, this.noSuchCluster(), { field: "cluster" });
      return this.auditWitnesses.cosigned(this.ctx.storage.transactionSync(() => this.audit.checkpoint(rec.name)!));
    });
  }

  auditLogInfo(): Result<{ origin: string; vkey: string; size: number }> {
    return attempt(() => {
      const rec = this.record() ?? reject(404, this.noSuchCluster(), { field: "cluster" });
      const origin = auditLogOrigin(this.env, rec.name);
      return { origin, vkey: logVkey(origin, this.signer().publicKey), size: this.auditTlog.latest()?.size ?? 0 };
    });
  }

  /** An audit-log tile by its C2SP path; the Worker checked access (viewer or public_log). */
  auditLogTile(path: string): Result<{ bytes: Uint8Array; full: boolean }> {
    return attempt(() => {
      if (!this.record()) reject(404, this.noSuchCluster(), { field: "cluster" });
      return this.auditTlog.tileAt(path);
    });
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

  /**
   * Answers with the route's body as JSON text (WorkloadWithReplicas): one JSON.stringify here
   * instead of a structured clone of every replica across the RPC and a JSON.stringify in the
   * Worker (a 1,000-replica deploy). Policy warnings come beside it.
   */
  deployWorkload(actor: string, spec: WorkloadSpec): Promise<Result<{ json: string; warnings?: string[] }>> {
    const subject = () => ({ name: spec.name, object: spec, oldObject: null, spec });
    return this.governed(actor, "operator", "deploy", subject, (decided) => this.guardCage(actor, spec, () => this.actAndNotify(() => {
      decided();
      const ctx = this.ctxFor(this.require(actor, "operator"));
      const { view: workload, replicas } = deployWorkload(ctx, actor, spec);
      // The new rows' views as stored, without reading 1,000 rows back (placement-insert.test.ts).
      const answer: WorkloadWithReplicas = { workload, replicas: replicas ?? this.workloads.replicaViewsOf(spec.name) };
      return { json: JSON.stringify(answer) };
    }, "deferred")));
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
    }, "deferred");
  }

  // -- agent channel ---------------------------------------------------------------------------

  heartbeat(actor: string, body: HeartbeatBody, signed?: SignedRequest): Promise<Result<{ desired_version: number }>> {
    return this.actAndReap(() => {
      const rec = this.require(actor, "node");
      // Kept as signed, before placement runs: validators check a proposal against it.
      if (signed && consensusOn(rec.config)) this.consensus.saveHeartbeat(actor, signed, Date.now());
      const ctx = this.ctxFor(rec);
      recordHeartbeat(ctx, actor, body, Date.now());
      progressPipelines(ctx, Date.now()); // a pipeline's health gate reads what the heartbeat reported
      this.armLiveness();
      return { desired_version: this.meta.desiredVersion() };
    }, "deferred");
  }

  /** Long-poll: answers at once if the desired state moved past `since`, else within `waitMs`. */
  async desiredState(actor: string, since: number, waitMs: number): Promise<Result<DesiredState>> {
    const check = attempt(() => this.require(actor, "node"));
    if (!check.ok) return check;
    if (this.meta.desiredVersion() <= since && waitMs > 0) await this.waiters.wait(waitMs);
    return attempt(() => {
      const rec = this.require(actor, "node");
      const ctx = this.ctxFor(rec);
      const consensus = consensusOn(rec.config);
      const replicas = this.workloads.replicasOn(actor).flatMap((r) => {
        const spec = this.workloads.specFor(r.workload, r.spec_version);
        // A replica of a removed workload: its agent stops it now, with the grace asked for.
        const stop = r.stopping ? { stop: r.stop_grace_s == null ? {} : { grace_s: r.stop_grace_s } } : {};
        if (!spec) return [];
        // Consensus: only a placement k validators approved is listed, with their approvals.
        const approved = consensus ? approvedPlacement(ctx, r.id, r.workload, actor, !!r.stopping) : {};
        return approved ? [{ id: r.id, workload: r.workload, replica_type: r.replica_type, spec, ...stop, ...approved }] : [];
      });
      const replays = pendingReplays(ctx, actor);
      const execs = this.execs.pendingOn(actor, Date.now());
      const proposals = consensus ? proposalsFor(ctx, actor) : [];
      const changes = consensus ? this.consensus.changes() : [];
      return signDesiredStateSync(
        {
          v: 1, cluster: rec.name, node: actor, version: this.meta.desiredVersion(), issued_at: isoNow(), replicas, replays, ...(execs.length ? { execs } : {}),
          ...(proposals.length ? { proposals } : {}), ...(changes.length ? { validator_set_changes: changes } : {}),
        },
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
  scaleWorkload(actor: string, name: string, replicas: number, via?: Record<string, unknown>): Promise<Result<{ replicas: Replica[]; warnings?: string[] }>> {
    const subject = () => {
      const spec = this.workloads.get(name)?.spec;
      return spec && { name, object: { ...spec, replicas }, oldObject: spec, spec };
    };
    return this.governed(actor, "operator", "scale", subject, (decided) =>
      this.actAndReap(() =>
        this.audit.through(via, () => {
          decided();
          scaleWorkload(this.ctxFor(this.require(actor, "operator")), actor, name, replicas, { manual: true });
          return { replicas: this.workloads.replicasOf(name).map(toReplica) };
        }),
        "deferred",
      ),
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

  // -- CueCage jobs (domain/agreements/cage-verdict.ts) ---------------------------------------

  /**
   * What a verdict is decided from: the job and its replicas of the counted version. Null when the
   * workload is no CueCage job or its verdict is already recorded. For the Worker, after a node's
   * signed exit receipts were admitted (workers/lib/cage-verdict.ts).
   */
  cageJobRuns(workload: string): Result<(CageJobRecord & { replicas: CageReplica[] }) | null> {
    return attempt(() => {
      const job = this.cageJobs.get(workload);
      if (!job || (job.verdict && job.verdict.status !== "pending")) return null;
      const replicas = this.workloads
        .replicasOf(workload)
        .filter((r) => r.spec_version === job.spec_version && r.replica_type === "primary")
        .map((r) => ({ id: r.id, node: r.node, status: r.status, reason: r.reason }));
      return { ...job, replicas };
    });
  }

  /** Records a decided verdict once, with its audit event; a pending one is not recorded. */
  recordCageVerdict(workload: string, specVersion: number, verdict: CageVerdict): Promise<Result<CageJobRecord | null>> {
    return this.act(() => {
      const rec = this.record();
      const job = this.cageJobs.get(workload);
      if (!rec || !job || job.spec_version !== specVersion) return null;
      if (verdict.status === "pending" || (job.verdict && job.verdict.status !== "pending")) return job;
      const decided: CageJobRecord = { ...job, verdict: { ...verdict, decided_at: isoNow() } };
      this.cageJobs.put(decided);
      this.audit.append(rec.name, "CageVerdict", "system", job.agreement, {
        workload, version: job.spec_version, status: verdict.status, nodes_required: verdict.nodes_required, reason: verdict.reason,
        runs: verdict.runs.map((r) => ({ node: r.node, witness_root: r.witness_root, exit_code: r.exit_code, receipt: r.receipt })),
      });
      return decided;
    });
  }

  /**
   * After an apply or rollback: a CueCage agreement's current version names its job, whose runs
   * of the workload's current version are checked from now on (an unchanged one keeps its verdict).
   */
  private syncCageJob(agreement: string): void {
    const a = this.agreements.get(agreement);
    const job = a ? this.agreements.version(agreement, a.version)?.compiled.job : undefined;
    const wl = job ? this.workloads.get(job.workload) : undefined;
    if (!job || !wl) return;
    const prev = this.cageJobs.get(job.workload);
    if (prev && prev.spec_version === wl.version && prev.nodes === job.nodes && prev.agreement === agreement) return;
    this.cageJobs.put({ agreement, workload: job.workload, nodes: job.nodes, spec_version: wl.version, registered_at: isoNow() });
  }

  /** A CueCage agreement's job and verdict (viewer). */
  cageJob(actor: string, agreement: string): Result<CageJobRecord> {
    return attempt(() => {
      this.require(actor, "viewer");
      return this.cageJobs.byAgreement(agreement) ?? reject(404, `agreement ${agreement} has no CueCage job`, { field: "name" });
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

  updateWorkload(actor: string, spec: WorkloadSpec, cause = "update"): Promise<Result<{ workload: WorkloadView; replicas: Replica[]; changed: string[]; warnings?: string[] }>> {
    const subject = () => ({ name: spec.name, object: spec, oldObject: this.workloads.get(spec.name)?.spec ?? null, spec });
    return this.governed(actor, "operator", "update", subject, (decided) => this.guardCage(actor, spec, () => this.actAndReap(() => {
      decided();
      const { workload, changed } = updateWorkload(this.ctxFor(this.require(actor, "operator")), actor, spec, cause);
      return { workload, replicas: this.workloads.replicasOf(spec.name).map(toReplica), changed };
    }, "deferred")));
  }

  // -- exec ------------------------------------------------------------------------------------

  /** Queues `enc exec` for the node that runs the replica (operator), audited as ReplicaExec. */
  requestExec(actor: string, req: ExecRequest): Promise<Result<ExecView & { warnings?: string[] }>> {
    const subject = () => {
      const r = this.workloads.replica(req.replica);
      // The command is what a policy sees, never stdin (it may carry secrets).
      return r && { name: req.replica, object: { replica: req.replica, workload: r.workload, node: r.node, command: req.command }, oldObject: null };
    };
    return this.governed(actor, "operator", "exec", subject, (decided) => this.actAndNotify(() => {
      decided();
      const rec = this.require(actor, "operator");
      const r = this.workloads.replica(req.replica);
      if (!r) reject(404, `no replica ${req.replica} in cluster ${rec.name}`, { field: "replica" });
      if (!r.node || r.status !== "running") reject(409, `replica ${req.replica} is not running (it is ${r.status}); exec needs a running container`, { field: "replica" });
      const view = this.execs.add(req, r.node, actor, Date.now());
      // The command is recorded, never stdin (it may carry secrets).
      this.audit.append(rec.name, "ReplicaExec", actor, req.replica, { exec: view.id, node: r.node, workload: r.workload, command: req.command });
      this.meta.bumpVersion();
      return view;
    }));
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
  ): Promise<Result<RolloutView & { changed?: string[]; warnings?: string[] }>> {
    // An undo is an update to an older spec: policies (update) and the security level judge it,
    // so a version from before a level was raised cannot come back.
    const subject = () => {
      const rec = this.record();
      const t = action === "undo" && rec ? attempt(() => undoTarget(this.ctxFor(rec), name, toVersion)) : undefined;
      return t?.ok ? { name, object: t.value.spec, oldObject: t.value.wl.spec, spec: t.value.spec } : undefined;
    };
    return this.governed(actor, "operator", "update", subject, (decided) =>
      this.actAndReap(() =>
        this.audit.through(via, () => {
          decided();
          const ctx = this.ctxFor(this.require(actor, "operator"));
          let changed: string[] | undefined;
          if (action === "undo") changed = undoRollout(ctx, actor, name, toVersion).changed;
          else if (action === "restart") restartRollout(ctx, actor, name);
          else setRolloutPaused(ctx, actor, name, action === "pause");
          return { ...rolloutStatus(ctx, name), ...(changed ? { changed } : {}) };
        }),
      ),
    );
  }

  // -- pipelines -------------------------------------------------------------------------------

  /** Another cluster's ClusterDO (a pipeline stage there). */
  private remote(cluster: string) {
    return this.env.CLUSTER.get(this.env.CLUSTER.idFromName(cluster));
  }

  /**
   * A stage as its cluster holds it: read here, or over DO RPC from the other cluster. A cluster
   * that is gone or fails answers an error naming it, never a throw.
   */
  private async stageSnapshot(ctx: ClusterCtx, stage: PipelineStage, workloads: string[], trafficFromMs?: number): Promise<Result<StageSnapshot>> {
    const other = remoteCluster(ctx, stage);
    if (!other) return attempt(() => snapshotStage(ctx, workloads, trafficFromMs));
    try {
      const res = (await this.remote(other).pipelineStage(workloads, trafficFromMs)) as Result<StageSnapshot>;
      return res.ok ? res : err(409, `stage ${stage.name}: cluster ${other}: ${res.problem.detail}`, { field: "pipeline", cluster: other });
    } catch (e) {
      return err(502, `stage ${stage.name}: cluster ${other} did not answer: ${(e as Error).message}`, { field: "pipeline", cluster: other });
    }
  }

  /** Does `actor` hold `role` in `cluster` (another one): its own roles decide. */
  private async remoteRole(cluster: string, actor: string, role: Role): Promise<Result<{ config: ClusterConfig }>> {
    try {
      return (await this.remote(cluster).authorize(actor, role)) as Result<{ config: ClusterConfig }>;
    } catch (e) {
      return err(502, `cluster ${cluster} did not answer: ${(e as Error).message}`, { field: "pipeline", cluster });
    }
  }

  async createPipeline(actor: string, body: CreatePipelineBody): Promise<Result<Pipeline>> {
    const got = attempt(() => this.ctxFor(this.require(actor, "admin")));
    if (!got.ok) return got;
    const ctx = got.value;
    // A stage in another cluster: the creator must see it there; its level judges the stage.
    const levels: Record<string, SecurityLevel> = {};
    for (const s of body.stages) {
      const other = remoteCluster(ctx, s);
      if (!other || levels[other]) continue;
      const r = await this.remoteRole(other, actor, "viewer");
      if (!r.ok) return err(422, `stage ${s.name}: cluster ${other}: ${r.problem.detail}`, { field: "stages", cluster: other });
      levels[other] = r.value.config.security_level;
    }
    const v = pipelineViolation(ctx, body, levels);
    if (v) {
      await this.act(() => this.audit.append(ctx.cluster, "SecurityViolation", actor, body.name, violationDetails(v, "pipeline")));
      return err(422, v.detail, { field: v.field, level: v.level, rule: v.rule, code: "security-level" });
    }
    return this.act(() => createPipeline(this.ctxFor(this.require(actor, "admin")), actor, body));
  }

  listPipelines(actor: string): Result<Pipeline[]> {
    return attempt(() => listPipelines(this.ctxFor(this.require(actor, "viewer"))));
  }

  /** A pipeline with its gates evaluated now (a read that may record a gate's result). */
  async pipelineStatus(actor: string, name: string): Promise<Result<Pipeline>> {
    const check = attempt(() => getPipeline(this.ctxFor(this.require(actor, "viewer")), name));
    if (!check.ok) return check;
    await this.progressRemote();
    return this.actAndReap(() => {
      const ctx = this.ctxFor(this.require(actor, "viewer"));
      progressPipelines(ctx, Date.now());
      return getPipeline(ctx, name);
    });
  }

  /**
   * The signer of the promote is the change's author, who can never approve it (operator here, and
   * operator in the target stage's cluster when it is another one).
   */
  async promote(actor: string, name: string, to: string | undefined, signed: RequestSignature): Promise<Result<Promotion>> {
    const plan = attempt(() => {
      const ctx = this.ctxFor(this.require(actor, "operator"));
      return { ctx, ...promotionPlan(ctx, name, to) };
    });
    if (!plan.ok) return plan;
    const { ctx, from, into } = plan.value;
    const target = remoteCluster(ctx, into);
    if (target) {
      const r = await this.remoteRole(target, actor, "operator");
      if (!r.ok) return err(r.problem.status === 404 ? 403 : r.problem.status, `promoting into stage ${into.name} needs the operator role in cluster ${target}: ${r.problem.detail}`, { field: "to", cluster: target });
    }
    const snapFrom = await this.stageSnapshot(ctx, from, from.workloads);
    if (!snapFrom.ok) return snapFrom;
    const snapInto = await this.stageSnapshot(ctx, into, into.workloads);
    if (!snapInto.ok) return snapInto;
    const res = await this.actAndReap(() => promote(this.ctxFor(this.require(actor, "operator")), actor, name, to, signed, { from: snapFrom.value, into: snapInto.value }));
    if (!res.ok || res.value.state !== "applying") return res;
    return this.applyPromotion(name, res.value.id);
  }

  /** approve | reject a promotion: the pipeline's role is checked against the roles of the target stage's cluster. */
  async decidePromotion(actor: string, name: string, id: string, decision: "approve" | "reject", signed: RequestSignature, comment?: string, via?: Record<string, string>): Promise<Result<Promotion>> {
    const found = attempt(() => promotionTarget(this.ctxFor(this.require(actor, "viewer")), name, id));
    if (!found.ok) return found;
    const { p, promo } = found.value;
    const target = promo.target_cluster;
    const role = p.gates.approvals.role;
    const remoteHolds = target && promo.state === "awaiting_approval" ? (await this.remoteRole(target, actor, role)).ok : false;
    const res = await this.actAndReap(() => {
      const ctx = this.ctxFor(this.require(actor, "viewer"));
      const held = this.roles.of(actor);
      return decidePromotionStep(ctx, actor, (r) => (target ? remoteHolds : satisfies(held, r)), name, id, decision, signed, comment, via);
    });
    if (!res.ok || res.value.state !== "applying") return res;
    return this.applyPromotion(name, id);
  }

  /**
   * Makes an approved change: the sources are read in their cluster, the targets updated here in
   * one transaction, or in their cluster over DO RPC (which checks the author's operator role, its
   * policies and level, and undoes its part when one target is refused). A failure there halts the
   * promotion red with the reason.
   */
  private async applyPromotion(name: string, id: string): Promise<Result<Promotion>> {
    this.applyingNow.add(id);
    this.schedule.at(PIPELINE_TASK, Date.now() + STUCK_APPLYING_MS + 1_000);
    try {
      return await this.applyPromotionNow(name, id);
    } finally {
      this.applyingNow.delete(id);
    }
  }

  private async applyPromotionNow(name: string, id: string): Promise<Result<Promotion>> {
    const rec = this.record();
    if (!rec) return err(404, this.noSuchCluster(), { field: "cluster" });
    const ctx = this.ctxFor(rec);
    const { p, promo, from, into } = promotionTarget(ctx, name, id);
    const sources = await this.stageSnapshot(ctx, from, promo.changes.map((c) => c.source));
    const specs = sources.ok ? Object.fromEntries(Object.entries(sources.value.workloads).map(([k, w]) => [k, w?.spec])) : {};
    const target = remoteCluster(ctx, into);
    if (!sources.ok) return this.failApply(name, id, `the change was not applied: ${sources.problem.detail}`);
    const gone = promo.changes.find((c) => !specs[c.source]);
    if (gone) return this.failApply(name, id, `the change was not applied: stage ${from.name}'s workload ${gone.source} is gone`);
    const ref: PipelineRef = { home: ctx.cluster, pipeline: p.name, promotion: id };
    let applied: Result<{ target: string; to_version: number }[]>;
    try {
      // Here or there, the same path: the target cluster's roles, policies and level judge each update.
      applied = (await (target ? this.remote(target) : this).pipelineApply(ref, promo.author, promo.changes.map((c) => ({ target: c.target, source: specs[c.source]! })))) as Result<{ target: string; to_version: number }[]>;
    } catch (e) {
      applied = err(502, target ? `cluster ${target} did not answer: ${(e as Error).message}` : (e as Error).message);
    }
    if (!applied.ok) return this.failApply(name, id, `the change was not applied: ${target ? `cluster ${target}: ` : ""}${applied.problem.detail}`);
    const versions = applied.value;
    const res = await this.actAndReap(() => {
      const c = this.ctxFor(this.record()!);
      const a = promotionTarget(c, name, id);
      return a.promo.state === "applying" ? recordApplied(c, a.p, a.promo, versions) : a.promo;
    });
    if (target) this.schedule.at(PIPELINE_TASK, Date.now() + PIPELINE_EVERY_MS);
    return res;
  }

  private async failApply(name: string, id: string, reason: string): Promise<Result<Promotion>> {
    return this.act(() => {
      const ctx = this.ctxFor(this.record()!);
      return recordApplyFailed(ctx, name, id, reason) ?? promotionTarget(ctx, name, id).promo;
    });
  }

  /**
   * Verifies the promotions into other clusters: reads each target stage there (health, gateway
   * traffic), records the gates, and on red rolls the targets back there. A cluster that is gone or
   * fails is red with its reason, and a rollback it refuses is recorded as such.
   */
  private progressRemote(): Promise<void> {
    this.remoteProgress ??= (async () => {
      try {
        const rec = this.record();
        if (!rec) return;
        for (const { p, promo } of stuckApplying(this.ctxFor(rec), this.applyingNow, Date.now() - STUCK_APPLYING_MS)) {
          const into = p.stages.find((s) => s.name === promo.to)!;
          const snap = await this.stageSnapshot(this.ctxFor(rec), into, promo.changes.map((c) => c.target));
          const held = snap.ok ? promo.changes.map((c) => `${c.target} at version ${snap.value.workloads[c.target]?.version ?? "(gone)"} (was ${c.from_version})`).join(", ") : snap.problem.detail;
          await this.failApply(p.name, promo.id, `the change is not confirmed: it was being made when this cluster's ClusterDO stopped; ${promo.target_cluster ? `cluster ${promo.target_cluster}` : "here"} now: ${held}`);
        }
        for (const { p, promo } of remoteVerifying(this.ctxFor(rec))) {
          const now = Date.now();
          const into = p.stages.find((s) => s.name === promo.to)!;
          const snap = await this.stageSnapshot(this.ctxFor(rec), into, promo.changes.map((c) => c.target), trafficFrom(p, promo, now));
          const v = verification(p, promo, snap.ok ? snap.value : { error: snap.problem.detail }, now);
          let rolled: { undone: unknown[]; failed?: string } = { undone: [] };
          if (v.state === "red") {
            const ref: PipelineRef = { home: rec.name, pipeline: p.name, promotion: promo.id };
            try {
              const r = (await this.remote(promo.target_cluster!).pipelineRollback(ref, promo.changes.map((c) => ({ target: c.target, from_version: c.from_version })))) as Result<unknown[]>;
              rolled = r.ok ? { undone: r.value } : { undone: [], failed: `cluster ${promo.target_cluster}: ${r.problem.detail}` };
            } catch (e) {
              rolled = { undone: [], failed: `cluster ${promo.target_cluster} did not answer: ${(e as Error).message}` };
            }
          }
          await this.act(() => {
            const ctx = this.ctxFor(rec);
            const cur = listPipelines(ctx).find((x) => x.name === p.name);
            const same = cur?.promotions.find((x) => x.id === promo.id);
            if (cur && same?.state === "verifying") recordVerification(ctx, cur, same, v, now, () => rolled);
          });
        }
        if (remoteVerifying(this.ctxFor(rec)).length) this.schedule.at(PIPELINE_TASK, Date.now() + PIPELINE_EVERY_MS);
      } finally {
        this.remoteProgress = undefined;
      }
    })();
    return this.remoteProgress;
  }

  // The other side of a pipeline whose stage is in this cluster: called by the pipeline's home ClusterDO.

  /** The stage's workloads as this cluster holds them (their health, replays, gateway traffic). */
  pipelineStage(workloads: string[], trafficFromMs?: number): Result<StageSnapshot> {
    return attempt(() => {
      const rec = this.record() ?? reject(404, this.noSuchCluster(), { field: "cluster" });
      return snapshotStage(this.ctxFor(rec), workloads, trafficFromMs);
    });
  }

  /**
   * A promotion's change to this cluster's workloads, made as the author (who must hold operator
   * here; this cluster's policies and level judge each update, recorded with the pipeline's id).
   * All or nothing: if one target is refused, those already updated are rolled back and the
   * refusal says so.
   */
  async pipelineApply(ref: PipelineRef, author: string, changes: { target: string; source: WorkloadSpec }[]): Promise<Result<{ target: string; to_version: number }[]>> {
    const done: { target: string; from_version: number; to_version: number }[] = [];
    const cause = ref.home === this.record()?.name ? `pipeline ${ref.pipeline} ${ref.promotion}` : `pipeline ${ref.home}/${ref.pipeline} ${ref.promotion}`;
    for (const c of changes) {
      const cur = this.workloads.get(c.target);
      const res = cur ? await this.updateWorkload(author, promotedSpec(c.source, cur.spec), cause) : err(404, `no workload ${c.target}`, { field: "name" });
      if (!res.ok || !cur) {
        const why = res.ok ? "" : res.problem.detail;
        const undone = done.length ? await this.pipelineRollback(ref, done) : undefined;
        const note = done.length ? `; rolled back here: ${done.map((d) => d.target).join(", ")}${undone && !undone.ok ? ` (failed: ${undone.problem.detail})` : ""}` : "";
        return err(res.ok ? 404 : res.problem.status, `${c.target}: ${why}${note}`, { field: "pipeline" });
      }
      done.push({ target: c.target, from_version: cur.version, to_version: res.value.workload.version });
    }
    return { ok: true, value: done.map(({ target, to_version }) => ({ target, to_version })) };
  }

  /** Rolls this cluster's targets of a promotion back (actor system; each entry names the pipeline). */
  pipelineRollback(ref: PipelineRef, targets: { target: string; from_version: number }[]): Promise<Result<{ target: string; to_version: number; restored: number }[]>> {
    return this.actAndReap(() => {
      const rec = this.record() ?? reject(404, this.noSuchCluster(), { field: "cluster" });
      return this.audit.through({ pipeline: `${ref.home}/${ref.pipeline}`, promotion: ref.promotion }, () => rollbackLocal(this.ctxFor(rec), targets));
    });
  }

  /**
   * An isolate's batch of gateway outcomes (workers/gateway/traffic.ts), at most one per isolate
   * per second: summed into per-second buckets, then the pipelines' gates read them.
   */
  recordGatewayTraffic(rows: TrafficRow[]): Promise<Result<{ recorded: number }>> {
    return this.actAndReap(() => {
      const rec = this.record();
      if (!rec) return { recorded: 0 };
      const ok = rows.slice(0, MAX_TRAFFIC_ROWS).filter((r) => this.workloads.get(r.workload));
      this.traffic.add(ok, Date.now());
      progressPipelines(this.ctxFor(rec), Date.now());
      return { recorded: ok.length };
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
      // Checkpoint and witness status from the audit log's C2SP checkpoint and the cosignatures its witnesses returned.
      const cp = this.auditTlog.latest();
      const configured = rec.config.witnesses ?? [];
      const quorum = Math.max(1, rec.config.witness_quorum ?? 0);
      const cosigs = cp ? this.auditWitnesses.linesFor(cp.size).split("\n").filter(Boolean).length : 0;
      const witnessed = cp && cosigs >= quorum ? cp.size : 0;
      const witnessGap =
        witnessed >= head.size
          ? null
          : configured.length === 0
            ? "no witness is configured for this cluster's audit log: the period is unwitnessed (only the control plane's own signed head vouches for it)"
            : `audit entries ${witnessed + 1}-${head.size} are not covered by a checkpoint with ${quorum} witness cosignature(s): that part of the period is unwitnessed`;
      const checkpoints = cp ? `C2SP checkpoint of the audit log at size ${cp.size}; signed head at size ${head.size}` : `no C2SP checkpoint yet; signed head at size ${head.size}`;
      const witnesses = configured.length ? `${cosigs} cosignature(s) from ${configured.length} configured witness(es) on the checkpoint of size ${cp?.size ?? 0} (quorum ${quorum})` : "none configured";
      return signComplianceReportSync(
        {
          v: 1,
          kind: "compliance-evidence",
          framework,
          cluster: rec.name,
          period: { from: from ?? null, to: to ?? null },
          generated_at: isoNow(),
          ledger: { head, entries_in_period: entries.length },
          transparency: { checkpoints, witnesses },
          controls: controlsFor(framework, { entries, witnessGap }),
        },
        this.signer(),
      );
    });
  }
  // -- governance: policies and security levels ------------------------------------------------

  /**
   * Runs a change past the cluster's policies and security level. A caller who may make the change
   * (others get the change's own 404/403 and leave no trace) has every matching policy evaluated
   * on the change's input. A deny, or a spec the level forbids, refuses it: the PolicyDecision
   * entries and the SecurityViolation commit on their own, the change does not happen. Otherwise
   * `run` calls `decided()` inside its transaction, so the decisions commit with the change, and
   * warn decisions come back as `warnings`.
   */
  private async governed<T>(
    actor: string,
    need: Role,
    change: PolicyMatch,
    subjectOf: () => { name: string; object: unknown; oldObject: unknown; spec?: WorkloadSpec } | undefined | null,
    run: (decided: () => void) => Promise<Result<T>>,
  ): Promise<Result<T & { warnings?: string[] }>> {
    const rec = this.record();
    const role = rec ? this.roles.of(actor) : undefined;
    const subject = rec && satisfies(role, need) ? subjectOf() : undefined;
    if (!rec || !subject) return run(() => {}) as Promise<Result<T & { warnings?: string[] }>>;
    const input = policyInput(rec, actor, role, change, subject.object, subject.oldObject);
    const outcome = evaluatePolicies(this.policies.list(), input, change);
    const violation = subject.spec ? workloadViolation(subject.spec, rec.config.security_level, outcome.allowed) : undefined;
    const decided = () => {
      for (const d of outcome.decisions) this.audit.append(rec.name, "PolicyDecision", actor, subject.name, d);
    };
    if (outcome.denied || violation) {
      await this.act(() => {
        decided();
        if (violation) this.audit.append(rec.name, "SecurityViolation", actor, subject.name, violationDetails(violation, change));
      });
      return outcome.denied ? denyProblem(outcome.denied, change) : levelProblem(violation!);
    }
    const res = await run(decided);
    if (res.ok && outcome.warnings.length) return { ok: true, value: { ...res.value, warnings: outcome.warnings } };
    return res as Result<T & { warnings?: string[] }>;
  }

  /**
   * Policy evaluation for changes served outside this class (agreements): the decisions are
   * recorded, a deny is a problem naming the policy, warnings come back. The caller must hold `need`.
   */
  async checkPolicies(actor: string, need: Role, change: PolicyMatch, subject: string, object: unknown, oldObject: unknown): Promise<Result<{ decisions: PolicyDecision[]; warnings: string[] }>> {
    const rec = attempt(() => this.require(actor, need));
    if (!rec.ok) return rec;
    const outcome = evaluatePolicies(this.policies.list(), policyInput(rec.value, actor, this.roles.of(actor), change, object, oldObject), change);
    if (outcome.decisions.length) await this.act(() => outcome.decisions.forEach((d) => this.audit.append(rec.value.name, "PolicyDecision", actor, subject, d)));
    if (outcome.denied) return denyProblem(outcome.denied, change);
    return { ok: true, value: { decisions: outcome.decisions, warnings: outcome.warnings } };
  }

  addPolicy(actor: string, body: PolicyBody): Promise<Result<Policy>> {
    return this.act(() => {
      const rec = this.require(actor, "admin");
      compilePolicy(body);
      if (this.policies.get(body.name)) reject(409, `policy ${body.name} already exists; remove it first`, { field: "name" });
      const policy: Policy = { ...body, hash: policyHash(body), created_by: actor, created_at: isoNow() };
      this.policies.put(policy);
      this.audit.append(rec.name, "PolicyAdded", actor, body.name, { policy });
      return policy;
    });
  }

  listPolicies(actor: string): Result<Policy[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      return this.policies.list();
    });
  }

  getPolicy(actor: string, name: string): Result<Policy> {
    return attempt(() => {
      const rec = this.require(actor, "viewer");
      const p = this.policies.get(name);
      if (!p) reject(404, `no policy ${name} in cluster ${rec.name}`, { field: "name" });
      return p;
    });
  }

  removePolicy(actor: string, name: string): Promise<Result<{ removed: string; hash: string }>> {
    return this.act(() => {
      const rec = this.require(actor, "admin");
      const p = this.policies.get(name);
      if (!p) reject(404, `no policy ${name} in cluster ${rec.name}`, { field: "name" });
      this.policies.remove(name);
      this.audit.append(rec.name, "PolicyRemoved", actor, name, { hash: p.hash });
      return { removed: name, hash: p.hash };
    });
  }

  /**
   * `enc policy test`: one policy on a document, nothing changed or recorded. What the document
   * leaves out is filled as a real change would be: the caller's request (the policy's first
   * match), this cluster, null objects.
   */
  testPolicy(actor: string, name: string, doc: PolicyInput): Result<PolicyTestResult> {
    return attempt(() => {
      const rec = this.require(actor, "viewer");
      const p = this.policies.get(name);
      if (!p) reject(404, `no policy ${name} in cluster ${rec.name}`, { field: "name" });
      const action = (doc.request?.action as PolicyMatch | undefined) ?? p.match[0];
      const base = policyInput(rec, actor, this.roles.of(actor), p.match.includes(action) ? action : p.match[0], doc.object, doc.oldObject);
      const input = JSON.parse(JSON.stringify({ ...base, ...(doc.request ? { request: doc.request } : {}), ...(doc.cluster ? { cluster: doc.cluster } : {}) })) as PolicyInput;
      const d = decide(p, input, base.request!.action as PolicyMatch);
      return { ...d, input };
    });
  }

  /**
   * Raises the cluster's security level (admin), never lowers it. The new level's config rules
   * must hold (witnesses; MilitaryGrade turns quantum_safe on) and no workload may break its
   * workload rules: a refusal lists them and is a SecurityViolation entry.
   */
  async raiseSecurityLevel(actor: string, level: SecurityLevel, compliance: ClusterConfig["compliance"] = []): Promise<Result<Cluster>> {
    const got = attempt(() => this.require(actor, "admin"));
    if (!got.ok) return got;
    const rec = got.value;
    const from = rec.config.security_level;
    const refuse = async (v: LevelViolation, extra: Record<string, unknown> = {}) => {
      await this.act(() => this.audit.append(rec.name, "SecurityViolation", actor, rec.name, violationDetails(v, "security-level", { from, to: level, ...extra })));
      return err(409, v.detail, { field: v.field, level: v.level, rule: v.rule, ...extra });
    };
    if (rank(level) < rank(from)) {
      return refuse({ level: from, rule: "level-only-rises", field: "security_level", detail: `security level ${from} (rule level-only-rises): cluster ${rec.name} cannot be lowered to ${level}` });
    }
    const config = withLevel({ ...rec.config, compliance: [...new Set([...rec.config.compliance, ...compliance])] }, level);
    const cv = configViolation(config);
    if (cv) return refuse(cv);
    const broken = this.workloads.list().flatMap((w) => {
      const input = policyInput(rec, actor, this.roles.of(actor), "update", w.spec, w.spec);
      const v = workloadViolation(w.spec, level, evaluatePolicies(this.policies.list(), input, "update").allowed);
      return v ? [{ workload: w.spec.name, rule: v.rule, field: v.field }] : [];
    });
    if (broken.length) {
      const list = broken.map((b) => `${b.workload} (${b.rule})`).join(", ");
      return refuse({ level, rule: broken[0].rule, field: "security_level", detail: `security level ${level}: ${broken.length} workload(s) break its rules: ${list}; update or remove them first` }, { workloads: broken });
    }
    return this.act(() => {
      const next: ClusterRecord = { ...rec, config };
      this.meta.setRecord(next);
      if (from !== level || config.compliance.length !== rec.config.compliance.length) {
        this.audit.append(rec.name, "SecurityLevelRaised", actor, rec.name, { from, to: level, compliance: config.compliance, quantum_safe: config.quantum_safe });
      }
      return this.view(next);
    });
  }

  // -- consensus placement ---------------------------------------------------------------------

  /** What a node pins at join: the current validator set and the changes that led to it. */
  validatorSet(actor: string): Result<{ validator_set: ValidatorSet; changes: ValidatorSetChange[] } | null> {
    return attempt(() => {
      const rec = this.record();
      const held = rec ? this.roles.of(actor) : undefined;
      if (!rec || !held) reject(404, this.noSuchCluster(), { field: "cluster" });
      if (!consensusOn(rec.config)) return null;
      return { validator_set: this.consensus.currentSet(rec.name, rec.config), changes: this.consensus.changes() };
    });
  }

  /** A validator's signed answer to a proposal (node): verified here, then recorded. */
  async answerPlacement(actor: string, body: PlacementAnswer): Promise<Result<{ status: string }>> {
    const kind = "approval" in body ? "approval" : "refusal";
    const answer = "approval" in body ? body.approval : body.refusal;
    const pre = attempt(() => {
      const rec = this.require(actor, "node");
      if (!consensusOn(rec.config)) reject(409, `cluster ${rec.name} does not place by consensus`, { field: "placement" });
    });
    if (!pre.ok) return pre;
    const v = kind === "approval" ? await verifyPlacementApproval(answer) : await verifyPlacementRefusal(answer);
    if (!v.ok) return err(422, `the ${kind} does not verify: ${v.reason}`, { field: `${kind}.sig` });
    return this.actAndNotify(() => {
      const rec = this.require(actor, "node");
      return { status: recordAnswer(this.ctxFor(rec), actor, kind, answer, Date.now()) };
    });
  }

  /** Each placement round of a workload with its signed answers (viewer). */
  placements(actor: string, workload: string): Result<{ quorum: number; epoch: number; validators: string[]; placements: PlacementView[] }> {
    return attempt(() => {
      const rec = this.require(actor, "viewer");
      if (!this.workloads.get(workload) && this.consensus.ofWorkload(workload).length === 0) reject(404, `no workload ${workload}`, { field: "name" });
      return placementViews(this.ctxFor(rec), workload);
    });
  }

  /** Audit entries for a validator following the chain (a validator node of this cluster). */
  validatorAudit(actor: string, fromSeq: number, limit: number): Result<{ entries: unknown[] }> {
    return attempt(() => {
      const rec = this.require(actor, "node");
      if (!this.consensus.currentSet(rec.name, rec.config).validators.includes(actor)) reject(403, "only validators read the audit chain over the agent channel", { field: "node" });
      return { entries: this.consensus.auditFrom(fromSeq, limit) };
    });
  }

  /** A new validator set, signed by k validators of the current one (admin submits it). */
  async changeValidatorSet(actor: string, change: ValidatorSetChange): Promise<Result<ValidatorSet>> {
    const cur = attempt(() => {
      const rec = this.require(actor, "admin");
      if (!consensusOn(rec.config)) reject(409, `cluster ${rec.name} does not place by consensus`, { field: "placement" });
      return { rec, set: this.consensus.currentSet(rec.name, rec.config) };
    });
    if (!cur.ok) return cur;
    const res = await applyValidatorSetChange(cur.value.set, cur.value.rec.name, change);
    if (!res.ok) return err(422, `validator set change refused: ${res.reason}`, { field: "change" });
    return this.actAndNotify(() => {
      const rec = this.require(actor, "admin");
      const now = this.consensus.currentSet(rec.name, rec.config);
      if (now.hash !== cur.value.set.hash) reject(409, "the validator set changed meanwhile; sign a change of the current set", { field: "change.prev" });
      this.consensus.addChange(change, res.set);
      this.audit.append(rec.name, "ValidatorSetChanged", actor, `epoch ${res.set.epoch}`, { ...change });
      this.meta.bumpVersion();
      return res.set;
    });
  }

  // -- agreements ------------------------------------------------------------------------------

  /**
   * Applies compiled agreements (operator), all or none: one transaction. A cage-weakening
   * workload is refused like a direct deploy, with its SecurityViolation entry.
   */
  async applyAgreements(actor: string, units: CompiledUnit[], opts: { dryRun: boolean; prune: boolean }): Promise<Result<ApplyOutcome[]>> {
    const rec = this.record();
    const role = this.roles.of(actor);
    if (rec && satisfies(role, "operator")) {
      for (const u of units) {
        const v = cageViolations(this.ctxFor(rec), role, u.agreement)[0];
        if (!v) continue;
        if (!opts.dryRun) await this.act(() => this.audit.append(rec.name, "SecurityViolation", actor, u.agreement.name, { field: v.field, reason: v.detail, role: role ?? null }));
        return err(403, v.detail, { field: v.field });
      }
    }
    const run = () => {
      const ctx = this.ctxFor(this.require(actor, "operator"));
      const out = units.map((u) => applyAgreement(ctx, this.agreements, actor, u, opts));
      if (!opts.dryRun) for (const u of units) this.syncCageJob(u.agreement.name);
      return out;
    };
    if (opts.dryRun) return attempt(() => this.ctx.storage.transactionSync(() => run()));
    const res = await this.actAndReap(run);
    if (res.ok) this.armLiveness();
    return res;
  }

  validateAgreements(actor: string, units: CompiledUnit[], opts: { security: boolean; resources: boolean }): Result<AgreementValidation> {
    return attempt(() => validateAgreements(this.ctxFor(this.require(actor, "operator")), this.agreements, this.roles.of(actor), units, opts));
  }

  listAgreements(actor: string): Result<AgreementSummary[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      return listAgreements(this.agreements);
    });
  }

  getAgreement(actor: string, name: string): Result<AgreementView> {
    return attempt(() => {
      this.require(actor, "viewer");
      const cage = this.cageJobs.byAgreement(name);
      return { ...showAgreement(this.agreements, name), ...(cage ? { cage } : {}) };
    });
  }

  agreementHistory(actor: string, name: string): Result<AgreementVersion[]> {
    return attempt(() => {
      this.require(actor, "viewer");
      return agreementHistory(this.agreements, name);
    });
  }

  async rollbackAgreement(actor: string, name: string, version: string | number): Promise<Result<ApplyOutcome>> {
    const res = await this.actAndReap(() => {
      const out = rollbackAgreement(this.ctxFor(this.require(actor, "operator")), this.agreements, actor, name, version);
      this.syncCageJob(name);
      return out;
    });
    if (res.ok) this.armLiveness();
    return res;
  }

  async deleteAgreement(actor: string, name: string): Promise<Result<{ deleted: string; workloads: string[]; registry: RegistryBinding[] }>> {
    const res = await this.actAndReap(() => {
      const out = deleteAgreement(this.ctxFor(this.require(actor, "operator")), this.agreements, actor, name);
      const job = this.cageJobs.byAgreement(name);
      if (job) this.cageJobs.remove(job.workload); // a later apply starts a new check
      return out;
    });
    if (res.ok) this.armLiveness();
    return res;
  }

  /** One progress step now (tests; the liveness task runs it every few seconds). */
  async progressAgreementsNow(): Promise<Result<boolean>> {
    return this.actAndReap(() => {
      const rec = this.record();
      return rec ? progressAgreements(this.ctxFor(rec), this.agreements) : false;
    });
  }
}

/** A deny decision as the change's answer: 403 naming the policy and its message. */
function denyProblem(d: PolicyDecision, change: string): Result<never> {
  const why = d.error ? ` (it could not be evaluated: ${d.error})` : "";
  return err(403, `policy ${d.policy} denies this ${change}: ${d.message}${why}`, { field: "policy", policy: d.policy, policy_hash: d.policy_hash, code: "policy-denied" });
}

/** A security-level refusal: 403 naming the level, the rule and the field. */
function levelProblem(v: LevelViolation): Result<never> {
  return err(403, v.detail, { field: v.field, level: v.level, rule: v.rule, code: "security-level" });
}
