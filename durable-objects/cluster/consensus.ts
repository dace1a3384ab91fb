// Consensus placement (README "Consensus placement", PROTOCOL.md §9). With `placement.mode:
// "consensus"` the scheduler's choice is only a proposal: each placement round carries the inputs a
// validator checks, validators answer with signed approvals or refusals, and a replica enters its
// node's desired state only with k approvals of the current validator set, which the agent checks
// again itself. The set is epoch 1 from the cluster config, then quorum-signed changes only.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { ClusterConfig } from "../../protocol/api/cluster.ts";
import type { PlacementApproval, PlacementProposal, PlacementRefusal, PlacementView, SignedRequest, ValidatorSet, ValidatorSetChange } from "../../protocol/api/placement.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { genesisValidatorSet, keyMismatch, specHash, type PlacementKey } from "../../protocol/placement-approval.ts";
import { isoNow } from "../../protocol/time.ts";
import { reject } from "../../domain/result.ts";
import { placeMany } from "../../domain/scheduler/schedule.ts";
import type { PlacementRequest } from "../../domain/scheduler/types.ts";
import type { ClusterCtx } from "./context.ts";
import { schedNodes } from "./placement.ts";
import { audit, meta, placementRounds, signedHeartbeats } from "./schema.ts";

export type RoundRow = typeof placementRounds.$inferSelect;
type Status = RoundRow["status"];

/** A refused replica is proposed again after this long (its node may have room by then). */
export const REFUSED_RETRY_MS = 30_000;

export const consensusOn = (config: ClusterConfig): boolean => config.placement?.mode === "consensus";

/** The consensus tables and the validator set, kept under `meta` keys. */
export class ConsensusStore {
  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  private getMeta(key: string): string | undefined {
    return this.db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
  }

  /** The current set: the last quorum-signed change, or epoch 1 from the config. */
  currentSet(cluster: string, config: ClusterConfig): ValidatorSet {
    const saved = this.getMeta("validator_set");
    if (saved) return JSON.parse(saved) as ValidatorSet;
    const p = config.placement;
    return genesisValidatorSet(cluster, p?.quorum ?? 1, p?.validators ?? []);
  }

  changes(): ValidatorSetChange[] {
    return JSON.parse(this.getMeta("validator_set_changes") ?? "[]") as ValidatorSetChange[];
  }

  addChange(change: ValidatorSetChange, next: ValidatorSet): void {
    this.setMeta("validator_set_changes", JSON.stringify([...this.changes(), change]));
    this.setMeta("validator_set", JSON.stringify(next));
  }

  saveHeartbeat(node: string, request: SignedRequest, at: number): void {
    const value = { request: JSON.stringify(request), at };
    this.db.insert(signedHeartbeats).values({ node, ...value }).onConflictDoUpdate({ target: signedHeartbeats.node, set: value }).run();
  }

  hasHeartbeat(node: string): boolean {
    return this.db.select({ node: signedHeartbeats.node }).from(signedHeartbeats).where(eq(signedHeartbeats.node, node)).get() !== undefined;
  }

  heartbeat(node: string): SignedRequest | null {
    const r = this.db.select({ request: signedHeartbeats.request }).from(signedHeartbeats).where(eq(signedHeartbeats.node, node)).get();
    return r ? (JSON.parse(r.request) as SignedRequest) : null;
  }

  /** The audit entry that brought `workload` to spec `version` (deploy, update, undo, restart). */
  specEntry(workload: string, version: number): Record<string, unknown> {
    const row = this.db
      .select({ body: audit.body })
      .from(audit)
      .where(
        sql`${audit.event} IN ('WorkloadDeployed', 'WorkloadUpdated', 'RolloutUndone', 'RolloutRestarted')
          AND json_extract(${audit.body}, '$.subject') = ${workload} AND json_extract(${audit.body}, '$.details.version') = ${version}`,
      )
      .orderBy(desc(audit.seq))
      .limit(1)
      .get();
    return row ? (JSON.parse(row.body) as Record<string, unknown>) : {};
  }

  /** Audit entries from `fromSeq`, for validators following the chain. */
  auditFrom(fromSeq: number, limit: number): unknown[] {
    return this.db.select({ body: audit.body }).from(audit).where(sql`${audit.seq} >= ${fromSeq}`).orderBy(asc(audit.seq)).limit(limit).all().map((r) => JSON.parse(r.body));
  }

  latest(replica: string): RoundRow | undefined {
    return this.db.select().from(placementRounds).where(eq(placementRounds.replica, replica)).orderBy(desc(placementRounds.round)).limit(1).get();
  }

  round(replica: string, round: number): RoundRow | undefined {
    return this.db.select().from(placementRounds).where(and(eq(placementRounds.replica, replica), eq(placementRounds.round, round))).get();
  }

  add(row: typeof placementRounds.$inferInsert): void {
    this.db.insert(placementRounds).values(row).run();
  }

  update(replica: string, round: number, patch: Partial<Omit<RoundRow, "replica" | "round">>): void {
    this.db.update(placementRounds).set(patch).where(and(eq(placementRounds.replica, replica), eq(placementRounds.round, round))).run();
  }

  open(): RoundRow[] {
    return this.db.select().from(placementRounds).where(eq(placementRounds.status, "proposed")).orderBy(asc(placementRounds.proposed_at)).all();
  }

  ofWorkload(workload: string): RoundRow[] {
    return this.db.select().from(placementRounds).where(eq(placementRounds.workload, workload)).orderBy(asc(placementRounds.replica), asc(placementRounds.round)).all();
  }

  /** The latest round of each replica in `ids`. */
  latestOf(ids: readonly string[]): Map<string, RoundRow> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select()
      .from(placementRounds)
      .where(sql`${placementRounds.replica} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`)
      .orderBy(asc(placementRounds.round))
      .all();
    return new Map(rows.map((r) => [r.replica, r]));
  }
}

/** Validators of the set whose node is joined and not down. */
export function liveValidators(ctx: ClusterCtx, set: ValidatorSet): string[] {
  return set.validators.filter((v) => {
    const n = ctx.nodes.get(v);
    return n !== undefined && n.status !== "down";
  });
}

/** Sets a pending replica's reason, with an event when it changes (enc ps, enc events). */
function waitReason(ctx: ClusterCtx, id: string, workload: string, reason: string, kind: string): void {
  const r = ctx.workloads.replica(id);
  if (!r || r.reason === reason) return;
  ctx.workloads.updateReplica(id, { reason }, isoNow());
  ctx.events.add("control-plane", [{ at: isoNow(), replica: id, workload, kind, reason }]);
}

/**
 * placePending in consensus mode: one scheduler decision at a time, so each proposal carries the
 * exact snapshot its decision was made from (nodes with allocations, scheduler state, options).
 * Nothing is placed while fewer than k validators are alive: the replicas wait with that reason.
 */
export function placeByConsensus(ctx: ClusterCtx, actor: string, requests: PlacementRequest[], specOf: (w: string) => WorkloadSpec | undefined): number {
  const set = ctx.consensus.currentSet(ctx.cluster, ctx.config);
  const live = liveValidators(ctx, set);
  if (live.length < set.quorum) {
    const why = `waiting for validators: ${live.length} of the ${set.quorum} needed are alive`;
    for (const r of requests) waitReason(ctx, r.replicaId, r.workload, why, "awaiting_validators");
    return 0;
  }
  const now = Date.now();
  const opts = { maxReplicasPerNode: ctx.config.max_replicas_per_node };
  let placed = 0;
  for (const req of requests) {
    const last = ctx.consensus.latest(req.replicaId);
    if (last?.status === "refused" && (last.retry_at ?? 0) > now) continue;
    // Only nodes with a signed heartbeat on file: validators check the chosen node against it.
    const nodes = schedNodes(ctx.nodes.forPlacementAllocated().filter((r) => ctx.consensus.hasHeartbeat(r.node.address)));
    const state = ctx.meta.schedState();
    const res = placeMany([req], nodes, state, opts);
    const o = res.outcomes[0];
    const at = isoNow();
    if (!o.ok) {
      ctx.workloads.unplacedReplicas([{ id: req.replicaId, reason: o.reason }], at);
      continue;
    }
    ctx.meta.setSchedState(res.state);
    ctx.workloads.placeReplicas([{ id: o.replicaId, node: o.nodeId }], at);
    const spec = specOf(o.workload)!;
    ctx.audit.append(ctx.cluster, "ResourceAllocation", actor, o.replicaId, {
      allocations: [{ replica: o.replicaId, workload: o.workload, node: o.nodeId, algorithm: req.algorithm, resources: spec.resources, scores: o.scores }],
    });
    propose(ctx, set, o.replicaId, o.nodeId, { request: req, nodes, state, opts } as unknown as PlacementProposal["snapshot"], at);
    placed++;
  }
  return placed;
}

function propose(ctx: ClusterCtx, set: ValidatorSet, replicaId: string, node: string, snapshot: PlacementProposal["snapshot"], at: string): void {
  const r = ctx.workloads.replica(replicaId)!;
  const spec = ctx.workloads.specFor(r.workload, r.spec_version)!;
  const last = ctx.consensus.latest(replicaId);
  if (last?.status === "proposed") ctx.consensus.update(replicaId, last.round, { status: "superseded" });
  const round = (last?.round ?? 0) + 1;
  const spec_hash = specHash(spec);
  const proposal: PlacementProposal = {
    cluster: ctx.cluster, workload: r.workload, replica: replicaId, node, spec_hash, round, spec,
    spec_entry: ctx.consensus.specEntry(r.workload, r.spec_version) as PlacementProposal["spec_entry"],
    heartbeat: ctx.consensus.heartbeat(node),
    snapshot,
    proposed_at: at,
  };
  ctx.consensus.add({ replica: replicaId, round, workload: r.workload, node, spec_hash, spec_version: r.spec_version, status: "proposed", proposal: JSON.stringify(proposal), proposed_at: at });
  ctx.workloads.updateReplica(replicaId, { reason: `awaiting ${set.quorum} validator approvals (round ${round})` }, at);
}

const keyOf = (row: RoundRow, cluster: string): PlacementKey => ({ cluster, workload: row.workload, replica: row.replica, node: row.node, spec_hash: row.spec_hash, round: row.round });

/** Open rounds a validator has not answered yet, still current for their replica. */
export function proposalsFor(ctx: ClusterCtx, validator: string): PlacementProposal[] {
  const set = ctx.consensus.currentSet(ctx.cluster, ctx.config);
  if (!set.validators.includes(validator)) return [];
  return ctx.consensus.open().flatMap((row) => {
    const answered = [...JSON.parse(row.approvals), ...JSON.parse(row.refusals)].some((a: { validator: string }) => a.validator === validator);
    const r = ctx.workloads.replica(row.replica);
    return answered || !r || r.node !== row.node ? [] : [JSON.parse(row.proposal) as PlacementProposal];
  });
}

/**
 * Records a validator's answer, whose signature the caller has verified. k distinct approvals
 * commit the round (the replica enters its node's desired state); once so many validators refused
 * that k can no longer approve, the round is refused and the replica waits unplaced, to be proposed
 * again after REFUSED_RETRY_MS. Returns the round's status.
 */
export function recordAnswer(ctx: ClusterCtx, validator: string, kind: "approval" | "refusal", answer: PlacementApproval | PlacementRefusal, now: number): Status {
  const set = ctx.consensus.currentSet(ctx.cluster, ctx.config);
  if (!set.validators.includes(validator)) reject(403, `${validator} is not in the validator set (epoch ${set.epoch})`, { field: `${kind}.validator` });
  if (answer.validator !== validator) reject(422, `the ${kind} is signed by ${answer.validator}, not by the requesting node`, { field: `${kind}.validator` });
  const row = ctx.consensus.round(answer.replica, answer.round);
  if (!row) reject(404, `no placement round ${answer.round} of replica ${answer.replica}`, { field: `${kind}.replica` });
  const bad = keyMismatch(answer as unknown as Record<string, unknown>, keyOf(row, ctx.cluster));
  if (bad) reject(422, `the ${kind} is not for this placement: ${bad}`, { field: `${kind}.${bad.split(" ")[0]}` });
  if (row.status !== "proposed") reject(409, `placement round ${row.round} of ${row.replica} is already ${row.status}`, { field: `${kind}.round` });
  const approvals = JSON.parse(row.approvals) as PlacementApproval[];
  const refusals = JSON.parse(row.refusals) as PlacementRefusal[];
  if ([...approvals, ...refusals].some((a) => a.validator === validator)) reject(409, `${validator} already answered round ${row.round} of ${row.replica}`, { field: `${kind}.validator` });
  if (kind === "approval") approvals.push(answer as PlacementApproval);
  else refusals.push(answer as PlacementRefusal);
  const at = isoNow();
  const details = { workload: row.workload, node: row.node, round: row.round, spec_hash: row.spec_hash };
  if (approvals.length >= set.quorum) {
    ctx.consensus.update(row.replica, row.round, { status: "committed", approvals: JSON.stringify(approvals), refusals: JSON.stringify(refusals), committed_at: at });
    ctx.workloads.updateReplica(row.replica, { reason: null }, at);
    ctx.audit.append(ctx.cluster, "PlacementCommitted", "system", row.replica, { ...details, quorum: set.quorum, epoch: set.epoch, approvals: approvals.map((a) => ({ validator: a.validator, hash: a.hash })) });
    ctx.meta.bumpVersion();
    return "committed";
  }
  if (refusals.length > set.validators.length - set.quorum) {
    const reasons = refusals.map((r) => `${r.validator}: ${r.reason}`).join("; ");
    ctx.consensus.update(row.replica, row.round, { status: "refused", approvals: JSON.stringify(approvals), refusals: JSON.stringify(refusals), retry_at: now + REFUSED_RETRY_MS });
    const reason = `placement on ${row.node} refused by validators (${reasons})`.slice(0, 1000);
    ctx.workloads.updateReplica(row.replica, { node: null, status: "pending", reason }, at);
    ctx.events.add("control-plane", [{ at, replica: row.replica, workload: row.workload, kind: "placement_refused", reason }]);
    ctx.audit.append(ctx.cluster, "PlacementRefused", "system", row.replica, { ...details, refusals: refusals.map((r) => ({ validator: r.validator, reason: r.reason, hash: r.hash })) });
    ctx.meta.bumpVersion();
    return "refused";
  }
  ctx.consensus.update(row.replica, row.round, { approvals: JSON.stringify(approvals), refusals: JSON.stringify(refusals) });
  return "proposed";
}

/**
 * A replica enters its node's desired state only with its latest round committed for exactly
 * this node; it then carries the spec that round approved (an update that leaves the container as
 * it is moves the replica's spec version in place, not its approved spec) and the round's
 * approvals. Stopping needs no approval.
 */
export function approvedPlacement(ctx: ClusterCtx, replica: string, workload: string, node: string, stopping: boolean): { spec?: WorkloadSpec; placement?: { round: number; spec_hash: string; approvals: PlacementApproval[] } } | null {
  const row = ctx.consensus.latest(replica);
  const spec = row && row.status === "committed" && row.node === node ? ctx.workloads.specFor(workload, row.spec_version) : undefined;
  if (!row || !spec || specHash(spec) !== row.spec_hash) return stopping ? {} : null;
  return { spec, placement: { round: row.round, spec_hash: row.spec_hash, approvals: JSON.parse(row.approvals) } };
}

export function placementViews(ctx: ClusterCtx, workload: string): { quorum: number; epoch: number; validators: string[]; placements: PlacementView[] } {
  const set = ctx.consensus.currentSet(ctx.cluster, ctx.config);
  return {
    quorum: set.quorum,
    epoch: set.epoch,
    validators: set.validators,
    placements: ctx.consensus.ofWorkload(workload).map((r) => ({
      replica: r.replica, workload: r.workload, node: r.node, spec_hash: r.spec_hash, round: r.round, status: r.status,
      proposed_at: r.proposed_at, committed_at: r.committed_at, quorum: set.quorum,
      approvals: JSON.parse(r.approvals), refusals: JSON.parse(r.refusals),
    })),
  };
}
