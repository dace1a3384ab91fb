import type { Role } from "../../protocol/api/common.ts";
import type { SecurityLevel } from "../../protocol/api/cluster.ts";
import type { CreatePipelineBody, GateResult, GateState, Pipeline, PipelineStage, Promotion } from "../../protocol/api/pipeline.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { isoNow } from "../../protocol/time.ts";
import { reject } from "../../domain/result.ts";
import {
  approvalRefusal,
  approvalsGate,
  errorRateGate,
  errorWindowStart,
  pairWorkloads,
  promotionStages,
  replayMatch,
  sourceHealthy,
  targetHealth,
  worst,
  type ReplicaHealth,
  type Traffic,
} from "../../domain/pipelines/gates.ts";
import { PRODUCTION_APPROVALS, promotionViolation, rank, type LevelViolation } from "../../domain/policy/security-level.ts";
import type { ClusterCtx } from "./context.ts";
import { undoRollout } from "./rollout.ts";

/** The request signature of a pipeline action, kept in its audit entry so an auditor sees who signed what. */
export interface RequestSignature {
  keyid: string;
  /** the covered components @method and @target-uri, so the signature base can be rebuilt */
  method: string;
  target_uri: string;
  signature_input: string;
  signature: string;
  content_digest: string | null;
}

/** What a promotion reads of one workload of a stage, in the stage's own cluster (here, or over DO RPC). */
export interface StageWorkload {
  spec: WorkloadSpec;
  version: number;
  health: ReplicaHealth[];
  replay: { id: string; verdict: string | null } | null;
  /** the gateway's outcomes since the `trafficFromMs` asked for, if asked */
  traffic: Traffic | null;
}

/** One stage's workloads as its cluster holds them now (null: not deployed) and that cluster's level. */
export interface StageSnapshot {
  cluster: string;
  level: SecurityLevel;
  workloads: Record<string, StageWorkload | null>;
}

/** Who is acting in another cluster, recorded there with each change: the home cluster, the pipeline, the promotion. */
export interface PipelineRef {
  home: string;
  pipeline: string;
  promotion: string;
}

/** Promotions kept per pipeline (the audit log keeps them all). */
const KEEP_PROMOTIONS = 20;

const load = (ctx: ClusterCtx) => ctx.meta.pipelines<Pipeline>();

function get(ctx: ClusterCtx, name: string): Pipeline {
  const p = load(ctx)[name];
  if (!p) reject(404, `no pipeline ${name} in cluster ${ctx.cluster}`, { field: "pipeline" });
  return p;
}

function save(ctx: ClusterCtx, p: Pipeline): void {
  const all = load(ctx);
  all[p.name] = { ...p, promotions: p.promotions.slice(-KEEP_PROMOTIONS) };
  ctx.meta.setPipelines(all);
}

/** The other cluster a stage lives in, or undefined for the pipeline's own. */
export const remoteCluster = (ctx: { cluster: string }, s: PipelineStage): string | undefined => (s.cluster && s.cluster !== ctx.cluster ? s.cluster : undefined);

function health(ctx: ClusterCtx, workload: string): ReplicaHealth[] {
  return ctx.workloads.replicasOf(workload).map((r) => ({
    id: r.id,
    version: r.spec_version,
    status: r.status,
    healthy: r.healthy == null ? null : r.healthy === 1,
    retiring: r.retire_at != null || !!r.stopping,
    backoff: !!r.backoff,
  }));
}

/** A stage's workloads as this cluster holds them (what another cluster's pipeline reads over RPC too). */
export function snapshotStage(ctx: ClusterCtx, workloads: string[], trafficFromMs?: number): StageSnapshot {
  const out: Record<string, StageWorkload | null> = {};
  for (const name of workloads) {
    const wl = ctx.workloads.get(name);
    const replay = wl ? ctx.replays.latestDone(name) : undefined;
    out[name] = wl
      ? {
          spec: wl.spec,
          version: wl.version,
          health: health(ctx, name),
          replay: replay ? { id: replay.id, verdict: replay.verdict } : null,
          traffic: trafficFromMs === undefined ? null : ctx.traffic.since(name, trafficFromMs),
        }
      : null;
  }
  return { cluster: ctx.cluster, level: ctx.config.security_level, workloads: out };
}

function gateEntry(ctx: ClusterCtx, actor: string, p: Pipeline, promo: Promotion, g: GateResult): void {
  ctx.audit.append(ctx.cluster, "PipelineGate", actor, p.name, { promotion: promo.id, from: promo.from, to: promo.to, ...(promo.target_cluster ? { target_cluster: promo.target_cluster } : {}), ...g });
}

export function listPipelines(ctx: ClusterCtx): Pipeline[] {
  return Object.values(load(ctx)).sort((a, b) => a.name.localeCompare(b.name));
}

export function getPipeline(ctx: ClusterCtx, name: string): Pipeline {
  return get(ctx, name);
}

/** The higher of two levels: a production stage in another cluster is held to the stricter of both. */
const higher = (a: SecurityLevel, b: SecurityLevel | undefined): SecurityLevel => (b && rank(b) > rank(a) ? b : a);

/**
 * Why a pipeline breaks a level (dual-control-production), or undefined. `levels` holds the level
 * of each other cluster a stage names; a stage is judged at the higher of its cluster's and this one's.
 */
export function pipelineViolation(ctx: ClusterCtx, body: Pick<CreatePipelineBody, "stages" | "gates">, levels: Record<string, SecurityLevel>): LevelViolation | undefined {
  for (const s of body.stages.slice(1)) {
    const remote = remoteCluster(ctx, s);
    const v = promotionViolation(higher(ctx.config.security_level, remote ? levels[remote] : undefined), s, body.gates.approvals.count);
    if (v) return v;
  }
  return undefined;
}

export function createPipeline(ctx: ClusterCtx, actor: string, body: CreatePipelineBody): Pipeline {
  if (load(ctx)[body.name]) reject(409, `pipeline ${body.name} already exists`, { field: "name" });
  const names = body.stages.map((s) => s.name);
  if (new Set(names).size !== names.length) reject(422, "stage names must differ", { field: "stages" });
  const wls = body.stages.flatMap((s) => s.workloads.map((w) => `${remoteCluster(ctx, s) ?? ""}/${w}`));
  if (new Set(wls).size !== wls.length) reject(422, "a workload belongs to one stage only", { field: "stages" });
  const stages = body.stages.map((s) => ({ ...s, ...(remoteCluster(ctx, s) ? {} : { cluster: undefined }) }));
  const p: Pipeline = { ...body, stages: JSON.parse(JSON.stringify(stages)) as PipelineStage[], cluster: ctx.cluster, created_by: actor, created_at: isoNow(), promotions: [] };
  save(ctx, p);
  ctx.audit.append(ctx.cluster, "PipelineCreated", actor, p.name, { stages: p.stages, gates: p.gates });
  return p;
}

/** The stages a promotion of `name` into `to` moves between, with the pipeline: what the DO reads before it asks other clusters. */
export function promotionPlan(ctx: ClusterCtx, name: string, to: string | undefined): { p: Pipeline; from: PipelineStage; into: PipelineStage } {
  const p = get(ctx, name);
  const open = p.promotions.find((x) => x.state === "awaiting_approval" || x.state === "applying" || x.state === "verifying");
  if (open) reject(409, `promotion ${open.id} of ${name} is still ${open.state}`, { field: "pipeline" });
  const st = promotionStages(p, to);
  if ("refusal" in st) reject(422, st.refusal, { field: "to" });
  return { p, from: p.stages[st.from], into: p.stages[st.to] };
}

/** The approvals a promotion into `into` needs: the pipeline's, raised by dual-control-production at Enterprise and above. */
function approvalsNeeded(ctx: ClusterCtx, p: Pipeline, into: PipelineStage, intoLevel: SecurityLevel): { need: number; why: string } {
  const v = promotionViolation(higher(ctx.config.security_level, intoLevel), into, p.gates.approvals.count);
  return v ? { need: PRODUCTION_APPROVALS, why: `; security level ${v.level} (rule ${v.rule}) needs ${PRODUCTION_APPROVALS}` } : { need: p.gates.approvals.count, why: "" };
}

/**
 * `author` asks to promote into stage `to` (or the second stage). Gates before the change are
 * evaluated now, on the stages as their clusters hold them (`from` and `into`). A promotion that
 * needs no approval is left `applying`: the caller applies it.
 */
export function promote(ctx: ClusterCtx, author: string, name: string, to: string | undefined, signed: RequestSignature, snap: { from: StageSnapshot; into: StageSnapshot }): Promotion {
  const { p, from, into } = promotionPlan(ctx, name, to);
  const paired = pairWorkloads(from.workloads, into.workloads);
  if ("refusal" in paired) reject(422, paired.refusal, { field: "to" });
  const where = (s: PipelineStage) => (remoteCluster(ctx, s) ? ` in cluster ${s.cluster}` : "");
  const changes = paired.pairs.map(([source, target]) => {
    const s = snap.from.workloads[source];
    const t = snap.into.workloads[target];
    if (!s) reject(409, `stage ${from.name}'s workload ${source}${where(from)} is not deployed`, { field: "pipeline" });
    if (!t) reject(409, `stage ${into.name}'s workload ${target}${where(into)} is not deployed (deploy it once; promotions then update it)`, { field: "pipeline" });
    return { source, target, image: s.spec.image, from_version: t.version, to_version: null };
  });
  const gates: GateResult[] = changes.map((c) => sourceHealthy(c.source, snap.from.workloads[c.source]!.health));
  if (p.gates.replay_match) gates.push(...changes.map((c) => replayMatch(c.source, snap.from.workloads[c.source]!.replay ?? undefined)));
  const now = isoNow();
  const { need, why } = approvalsNeeded(ctx, p, into, snap.into.level);
  const target = remoteCluster(ctx, into);
  const promo: Promotion = {
    id: `pr-${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`,
    from: from.name,
    to: into.name,
    author,
    created_at: now,
    state: "awaiting_approval",
    gates,
    approvals: [],
    changes,
    ...(target ? { target_cluster: target } : {}),
    approvals_needed: need,
    applied_at: null,
    healthy_since: null,
    finished_at: null,
  };
  ctx.audit.append(ctx.cluster, "PipelinePromotionRequested", author, p.name, { promotion: promo.id, from: promo.from, to: promo.to, ...(target ? { target_cluster: target } : {}), approvals_needed: need, changes, signed });
  for (const g of gates) gateEntry(ctx, "system", p, promo, g);
  if (worst(gates.map((g) => g.state)) === "red") {
    promo.state = "halted";
    promo.finished_at = now;
  } else {
    const a = approvalsGate([], p.gates, need, why);
    promo.gates.push(a);
    if (a.state === "green") promo.state = "applying";
  }
  p.promotions.push(promo);
  save(ctx, p);
  return promo;
}

/** The stage a promotion goes into (its approvers' role is checked in that stage's cluster). */
export function promotionTarget(ctx: ClusterCtx, name: string, id: string): { p: Pipeline; promo: Promotion; into: PipelineStage; from: PipelineStage } {
  const p = get(ctx, name);
  const promo = p.promotions.find((x) => x.id === id);
  if (!promo) reject(404, `no promotion ${id} in pipeline ${name}`, { field: "id" });
  return { p, promo, into: p.stages.find((s) => s.name === promo.to)!, from: p.stages.find((s) => s.name === promo.from)! };
}

/**
 * An approver's signed decision. Dual control is checked here; `holds` says whether the approver
 * holds `role` in the target stage's cluster. Enough approvals leave the promotion `applying`.
 */
export function decide(
  ctx: ClusterCtx,
  actor: string,
  holds: (role: Role) => boolean,
  name: string,
  id: string,
  decision: "approve" | "reject",
  signed: RequestSignature,
  comment?: string,
  via?: Record<string, string>,
): Promotion {
  const { p, promo } = promotionTarget(ctx, name, id);
  const refusal = approvalRefusal(promo, actor, holds(p.gates.approvals.role), p.gates);
  if (refusal) reject(refusal.status, refusal.detail + (refusal.status === 403 && promo.target_cluster && refusal.detail.startsWith("approving") ? ` ${promo.target_cluster} (the target stage's)` : ""), { field: "id" });
  const entry = ctx.audit.append(ctx.cluster, "PipelineApproval", actor, p.name, {
    promotion: id,
    decision,
    role: p.gates.approvals.role,
    ...(promo.target_cluster ? { role_in: promo.target_cluster } : {}),
    author: promo.author,
    ...(comment ? { comment } : {}),
    signed,
    ...via,
  });
  promo.approvals.push({ approver: actor, decision, at: entry.ts, audit_seq: entry.seq });
  const need = promo.approvals_needed ?? p.gates.approvals.count;
  const gate = approvalsGate(promo.approvals, p.gates, need, need > p.gates.approvals.count ? `; dual-control-production needs ${need}` : "");
  promo.gates = [...promo.gates.filter((g) => g.gate !== "approvals"), gate];
  if (gate.state !== "yellow") gateEntry(ctx, "system", p, promo, gate);
  if (gate.state === "red") {
    promo.state = "rejected";
    promo.finished_at = isoNow();
  } else if (gate.state === "green") promo.state = "applying";
  save(ctx, p);
  return promo;
}

/** The promotion `id` of `name` if it is still `applying` (another request may have moved it meanwhile). */
export function applying(ctx: ClusterCtx, name: string, id: string): { p: Pipeline; promo: Promotion } | undefined {
  const p = load(ctx)[name];
  const promo = p?.promotions.find((x) => x.id === id);
  return p && promo?.state === "applying" ? { p, promo } : undefined;
}

/** The change was made (here or in the target's cluster, which answered its versions): verifying from now. */
export function recordApplied(ctx: ClusterCtx, p: Pipeline, promo: Promotion, versions?: { target: string; to_version: number }[]): Promotion {
  for (const v of versions ?? []) {
    const c = promo.changes.find((x) => x.target === v.target);
    if (c) c.to_version = v.to_version;
  }
  promo.state = "verifying";
  promo.applied_at = isoNow();
  ctx.audit.append(ctx.cluster, "PipelinePromoted", promo.author, p.name, {
    promotion: promo.id,
    from: promo.from,
    to: promo.to,
    ...(promo.target_cluster ? { target_cluster: promo.target_cluster } : {}),
    changes: promo.changes,
    approvers: promo.approvals.filter((a) => a.decision === "approve").map((a) => ({ approver: a.approver, audit_seq: a.audit_seq })),
  });
  save(ctx, p);
  return promo;
}

/** The change could not be made (the target's cluster is gone or refused it) or is unconfirmed: red, halted, `detail` saying what happened there. */
export function recordApplyFailed(ctx: ClusterCtx, name: string, id: string, reason: string): Promotion | undefined {
  const a = applying(ctx, name, id);
  if (!a) return undefined;
  const { p, promo } = a;
  const gate: GateResult = { gate: "target_healthy", state: "red", detail: reason };
  promo.gates = [...promo.gates.filter((g) => g.gate !== "target_healthy"), gate];
  gateEntry(ctx, "system", p, promo, gate);
  promo.state = "halted";
  promo.finished_at = isoNow();
  save(ctx, p);
  return promo;
}

/** The verification gates of a promotion on its target stage as read now: health, and the gateway error rate if the pipeline asks. */
export function verification(p: Pipeline, promo: Promotion, target: StageSnapshot | { error: string }, now: number): { gates: GateResult[]; state: GateState; sinceIso: string | null } {
  if ("error" in target) {
    const gate: GateResult = { gate: "target_healthy", state: "red", detail: `cluster ${promo.target_cluster}: ${target.error}` };
    return { gates: [gate], state: "red", sinceIso: null };
  }
  const since = promo.healthy_since ? Date.parse(promo.healthy_since) : null;
  const applied = Date.parse(promo.applied_at!);
  const results = promo.changes.map((c) => {
    const wl = target.workloads[c.target];
    return targetHealth(c.target, c.to_version ?? 0, wl?.health ?? [], applied, since, now, p.gates);
  });
  const newSince = results.every((r) => r.healthySinceMs !== null) ? Math.max(...results.map((r) => r.healthySinceMs!)) : null;
  const healthState = worst(results.map((r) => r.result.state));
  const gates: GateResult[] = [{ gate: "target_healthy", state: healthState, detail: results.map((r) => r.result.detail).join("; ") }];
  if (p.gates.max_error_rate !== undefined) {
    const rates = promo.changes.map((c) => errorRateGate(c.target, target.workloads[c.target]?.traffic ?? { requests: 0, errors: 0, upstream_failures: 0 }, applied, now, p.gates));
    gates.push({ gate: "error_rate", state: worst(rates.map((r) => r.state)), detail: rates.map((r) => r.detail).join("; ") });
  }
  return { gates, state: worst(gates.map((g) => g.state)), sinceIso: newSince === null ? null : new Date(newSince).toISOString() };
}

/** Since when a verifying promotion reads the gateway's outcomes (the error-rate window). */
export function trafficFrom(p: Pipeline, promo: Promotion, now: number): number | undefined {
  return p.gates.max_error_rate === undefined || !promo.applied_at ? undefined : errorWindowStart(Date.parse(promo.applied_at), now, p.gates);
}

/**
 * Records a verification: the gates now, and at green or red the end (red: `undone` is what the
 * rollback restored, `failed` what it could not). Returns whether anything changed.
 */
export function recordVerification(
  ctx: ClusterCtx,
  p: Pipeline,
  promo: Promotion,
  v: { gates: GateResult[]; state: GateState; sinceIso: string | null },
  now: number,
  rollback: () => { undone: unknown[]; failed?: string },
): boolean {
  const before = JSON.stringify(promo);
  promo.healthy_since = v.sinceIso;
  const names = new Set(v.gates.map((g) => g.gate));
  promo.gates = [...promo.gates.filter((g) => !names.has(g.gate)), ...v.gates];
  if (v.state !== "yellow") {
    for (const g of v.gates) gateEntry(ctx, "system", p, promo, g);
    promo.finished_at = new Date(now).toISOString();
    if (v.state === "green") promo.state = "promoted";
    else {
      const { undone, failed } = rollback();
      promo.state = "rolled_back";
      const reason = v.gates.filter((g) => g.state === "red").map((g) => g.detail).join("; ");
      ctx.audit.append(ctx.cluster, "PipelineRolledBack", "system", p.name, {
        promotion: promo.id,
        to: promo.to,
        ...(promo.target_cluster ? { target_cluster: promo.target_cluster } : {}),
        reason,
        undone,
        ...(failed ? { rollback_failed: failed } : {}),
      });
    }
  }
  if (JSON.stringify(promo) === before) return false;
  save(ctx, p);
  return true;
}

/** Rolls this cluster's targets back to their versions before the change (actor `system`). */
export function rollbackLocal(ctx: ClusterCtx, targets: { target: string; from_version: number }[]): { target: string; to_version: number; restored: number }[] {
  return targets.flatMap((c) => {
    const wl = ctx.workloads.get(c.target);
    if (!wl || wl.version === c.from_version) return [];
    return [{ target: c.target, to_version: undoRollout(ctx, "system", c.target, c.from_version).workload.version, restored: c.from_version }];
  });
}

/** Promotions being verified whose target stage is in another cluster (the DO reads those over RPC). */
export function remoteVerifying(ctx: ClusterCtx): { p: Pipeline; promo: Promotion }[] {
  return listPipelines(ctx).flatMap((p) => {
    const promo = p.promotions.find((x) => x.state === "verifying" && x.target_cluster);
    return promo ? [{ p, promo }] : [];
  });
}

/**
 * Evaluates the gates of every promotion being verified in this cluster (on heartbeats, the
 * liveness tick, gateway traffic and status reads): green ends it, red rolls every target back to
 * its version before the change. Promotions into another cluster are the DO's (over RPC).
 */
export function progressPipelines(ctx: ClusterCtx, now: number): boolean {
  let moved = false;
  for (const p of listPipelines(ctx)) {
    const promo = p.promotions.find((x) => x.state === "verifying" && !x.target_cluster);
    if (!promo) continue;
    const snap = snapshotStage(ctx, promo.changes.map((c) => c.target), trafficFrom(p, promo, now));
    const v = verification(p, promo, snap, now);
    if (recordVerification(ctx, p, promo, v, now, () => ({ undone: rollbackLocal(ctx, promo.changes) }))) moved = true;
  }
  return moved;
}

/**
 * Promotions left `applying` by an apply that is no longer running (`inFlight` is this DO
 * instance's; a restart empties it) and that began before `beforeMs`: their outcome is unknown
 * and must be reported, not left open.
 */
export function stuckApplying(ctx: ClusterCtx, inFlight: ReadonlySet<string>, beforeMs: number): { p: Pipeline; promo: Promotion }[] {
  return listPipelines(ctx).flatMap((p) =>
    p.promotions
      .filter((x) => x.state === "applying" && !inFlight.has(x.id) && Date.parse(x.approvals.at(-1)?.at ?? x.created_at) < beforeMs)
      .map((promo) => ({ p, promo })),
  );
}
