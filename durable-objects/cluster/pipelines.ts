import type { Role } from "../../protocol/api/common.ts";
import type { CreatePipelineBody, GateResult, Pipeline, Promotion } from "../../protocol/api/pipeline.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { isoNow } from "../../protocol/time.ts";
import { reject } from "../../domain/result.ts";
import { approvalRefusal, approvalsGate, pairWorkloads, promotionStages, replayMatch, sourceHealthy, targetHealth, worst, type ReplicaHealth } from "../../domain/pipelines/gates.ts";
import type { ClusterCtx } from "./context.ts";
import { undoRollout, updateWorkload } from "./rollout.ts";

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

function gateEntry(ctx: ClusterCtx, actor: string, p: Pipeline, promo: Promotion, g: GateResult): void {
  ctx.audit.append(ctx.cluster, "PipelineGate", actor, p.name, { promotion: promo.id, from: promo.from, to: promo.to, ...g });
}

export function listPipelines(ctx: ClusterCtx): Pipeline[] {
  return Object.values(load(ctx)).sort((a, b) => a.name.localeCompare(b.name));
}

export function getPipeline(ctx: ClusterCtx, name: string): Pipeline {
  return get(ctx, name);
}

export function createPipeline(ctx: ClusterCtx, actor: string, body: CreatePipelineBody): Pipeline {
  if (load(ctx)[body.name]) reject(409, `pipeline ${body.name} already exists`, { field: "name" });
  const names = body.stages.map((s) => s.name);
  if (new Set(names).size !== names.length) reject(422, "stage names must differ", { field: "stages" });
  const wls = body.stages.flatMap((s) => s.workloads);
  if (new Set(wls).size !== wls.length) reject(422, "a workload belongs to one stage only", { field: "stages" });
  const p: Pipeline = { ...body, cluster: ctx.cluster, created_by: actor, created_at: isoNow(), promotions: [] };
  save(ctx, p);
  ctx.audit.append(ctx.cluster, "PipelineCreated", actor, p.name, { stages: p.stages, gates: p.gates });
  return p;
}

/** `author` asks to promote into stage `to` (or the second stage). Gates before the change are evaluated now. */
export function promote(ctx: ClusterCtx, author: string, name: string, to: string | undefined, signed: RequestSignature): Promotion {
  const p = get(ctx, name);
  const open = p.promotions.find((x) => x.state === "awaiting_approval" || x.state === "verifying");
  if (open) reject(409, `promotion ${open.id} of ${name} is still ${open.state}`, { field: "pipeline" });
  const st = promotionStages(p, to);
  if ("refusal" in st) reject(422, st.refusal, { field: "to" });
  const from = p.stages[st.from];
  const into = p.stages[st.to];
  const paired = pairWorkloads(from.workloads, into.workloads);
  if ("refusal" in paired) reject(422, paired.refusal, { field: "to" });
  const changes = paired.pairs.map(([source, target]) => {
    const s = ctx.workloads.get(source);
    const t = ctx.workloads.get(target);
    if (!s) reject(409, `stage ${from.name}'s workload ${source} is not deployed`, { field: "pipeline" });
    if (!t) reject(409, `stage ${into.name}'s workload ${target} is not deployed (deploy it once; promotions then update it)`, { field: "pipeline" });
    return { source, target, image: s.spec.image, from_version: t.version, to_version: null };
  });
  const gates: GateResult[] = changes.map((c) => sourceHealthy(c.source, health(ctx, c.source)));
  if (p.gates.replay_match) gates.push(...changes.map((c) => replayMatch(c.source, ctx.replays.latestDone(c.source))));
  const now = isoNow();
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
    applied_at: null,
    healthy_since: null,
    finished_at: null,
  };
  ctx.audit.append(ctx.cluster, "PipelinePromotionRequested", author, p.name, { promotion: promo.id, from: promo.from, to: promo.to, changes, signed });
  for (const g of gates) gateEntry(ctx, "system", p, promo, g);
  if (worst(gates.map((g) => g.state)) === "red") {
    promo.state = "halted";
    promo.finished_at = now;
  } else {
    const a = approvalsGate([], p.gates);
    promo.gates.push(a);
    if (a.state === "green") apply(ctx, p, promo);
  }
  p.promotions.push(promo);
  save(ctx, p);
  return promo;
}

/** An approver's signed decision. Dual control is checked here, against the cluster's roles. */
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
  const p = get(ctx, name);
  const promo = p.promotions.find((x) => x.id === id);
  if (!promo) reject(404, `no promotion ${id} in pipeline ${name}`, { field: "id" });
  const refusal = approvalRefusal(promo, actor, holds(p.gates.approvals.role), p.gates);
  if (refusal) reject(refusal.status, refusal.detail, { field: "id" });
  const entry = ctx.audit.append(ctx.cluster, "PipelineApproval", actor, p.name, {
    promotion: id,
    decision,
    role: p.gates.approvals.role,
    author: promo.author,
    ...(comment ? { comment } : {}),
    signed,
    ...via,
  });
  promo.approvals.push({ approver: actor, decision, at: entry.ts, audit_seq: entry.seq });
  const gate = approvalsGate(promo.approvals, p.gates);
  promo.gates = [...promo.gates.filter((g) => g.gate !== "approvals"), gate];
  if (gate.state !== "yellow") gateEntry(ctx, "system", p, promo, gate);
  if (gate.state === "red") {
    promo.state = "rejected";
    promo.finished_at = isoNow();
  } else if (gate.state === "green") apply(ctx, p, promo);
  save(ctx, p);
  return promo;
}

/**
 * The change itself: each target gets its source's image, command and cage, keeping its own name,
 * replica counts and environment (a stage's configuration, e.g. its database URL, is its own).
 */
function apply(ctx: ClusterCtx, p: Pipeline, promo: Promotion): void {
  for (const c of promo.changes) {
    const src = ctx.workloads.get(c.source);
    const tgt = ctx.workloads.get(c.target);
    if (!src || !tgt) reject(409, `workload ${src ? c.target : c.source} is gone`, { field: "pipeline" });
    const spec: WorkloadSpec = {
      ...src.spec,
      name: c.target,
      env: tgt.spec.env,
      replicas: tgt.spec.replicas,
      secondaries: tgt.spec.secondaries,
      read_only_replicas: tgt.spec.read_only_replicas,
      load_balancer_replicas: tgt.spec.load_balancer_replicas,
      autoScaling: tgt.spec.autoScaling,
    };
    // The author's change, made once the approvers allowed it: the version history names both.
    const res = updateWorkload(ctx, promo.author, spec, `pipeline ${p.name} ${promo.id}`);
    c.to_version = res.workload.version;
  }
  promo.state = "verifying";
  promo.applied_at = isoNow();
  ctx.audit.append(ctx.cluster, "PipelinePromoted", promo.author, p.name, {
    promotion: promo.id,
    from: promo.from,
    to: promo.to,
    changes: promo.changes,
    approvers: promo.approvals.filter((a) => a.decision === "approve").map((a) => ({ approver: a.approver, audit_seq: a.audit_seq })),
  });
}

/**
 * Evaluates the target's health gate of every promotion being verified (on heartbeats and the
 * liveness tick): green ends it, red rolls every target back to its version before the change.
 */
export function progressPipelines(ctx: ClusterCtx, now: number): boolean {
  let moved = false;
  for (const p of listPipelines(ctx)) {
    const promo = p.promotions.find((x) => x.state === "verifying");
    if (!promo) continue;
    const since = promo.healthy_since ? Date.parse(promo.healthy_since) : null;
    const applied = Date.parse(promo.applied_at!);
    const results = promo.changes.map((c) => targetHealth(c.target, c.to_version ?? 0, health(ctx, c.target), applied, since, now, p.gates));
    const state = worst(results.map((r) => r.result.state));
    const newSince = results.every((r) => r.healthySinceMs !== null) ? Math.max(...results.map((r) => r.healthySinceMs!)) : null;
    const sinceIso = newSince === null ? null : new Date(newSince).toISOString();
    const gate: GateResult = { gate: "target_healthy", state, detail: results.map((r) => r.result.detail).join("; ") };
    const before = JSON.stringify(promo);
    promo.healthy_since = sinceIso;
    promo.gates = [...promo.gates.filter((g) => g.gate !== "target_healthy"), gate];
    if (state !== "yellow") {
      gateEntry(ctx, "system", p, promo, gate);
      promo.finished_at = new Date(now).toISOString();
      if (state === "green") promo.state = "promoted";
      else {
        const undone = promo.changes.flatMap((c) => {
          const wl = ctx.workloads.get(c.target);
          if (!wl || wl.version === c.from_version) return [];
          return [{ target: c.target, to_version: undoRollout(ctx, "system", c.target, c.from_version).workload.version, restored: c.from_version }];
        });
        promo.state = "rolled_back";
        ctx.audit.append(ctx.cluster, "PipelineRolledBack", "system", p.name, { promotion: promo.id, to: promo.to, reason: gate.detail, undone });
      }
    }
    if (JSON.stringify(promo) !== before) {
      save(ctx, p);
      moved = true;
    }
  }
  return moved;
}
