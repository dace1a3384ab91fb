// The agreement engine's writes, inside the ClusterDO's transactions: apply (create or update as
// rolling updates, wave by wave), rollback (re-apply a stored version), delete (what the agreement
// created, in reverse waves), and the progress step that starts each wave once the one before is
// ready. Compiling happens before, in the Worker (domain/agreements); this stores and acts.
import { isoNow } from "../../protocol/time.ts";
import type { AgreementApplyResult, AgreementSummary, AgreementValidation, AgreementVersion, AgreementView } from "../../protocol/api/agreement.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import type { Role } from "../../protocol/api/common.ts";
import { reject } from "../../domain/result.ts";
import { planWorkloads, resolveVersion, resourceCheck, versionHash, wavesOf, type WorkloadChange } from "../../domain/agreements/plan.ts";
import type { CompiledAgreement, RegistryBinding } from "../../domain/agreements/types.ts";
import type { CompiledUnit } from "../../domain/agreements/compile.ts";
import type { ClusterCtx } from "./context.ts";
import type { AgreementRow, AgreementStore } from "./agreement-store.ts";
import { cageViolation, checkNamedNodes, deleteWorkload, deployWorkload } from "./workload-service.ts";
import { updateWorkload } from "./rollout.ts";
import { schedNodes } from "./placement.ts";

export type ApplyOutcome = AgreementApplyResult & { registry: RegistryBinding[] };

const needsHealth = (spec: WorkloadSpec) => !!(spec.health_check?.http_path || spec.health_check?.command?.length);

/** Ready: no rollout under way, and as many primaries of the current version running (and healthy, with a check) as asked. */
export function workloadReady(ctx: ClusterCtx, name: string): boolean {
  const w = ctx.workloads.get(name);
  if (!w) return false;
  const ro = ctx.workloads.rollout(name);
  if (ro && ro.status !== "complete") return false;
  const needs = needsHealth(w.spec);
  const ready = ctx.workloads
    .liveReplicasOf(name)
    .filter((r) => r.replica_type === "primary" && r.spec_version === w.version && !r.stopping && r.status === "running" && (needs ? r.healthy === 1 : r.healthy !== 0));
  return ready.length >= w.spec.replicas;
}

/** Refuses workload names that exist outside this agreement (created by hand or by another one). */
function checkOwnership(ctx: ClusterCtx, store: AgreementStore, name: string, owned: readonly string[], a: CompiledAgreement): void {
  a.workloads.forEach((w, i) => {
    if (owned.includes(w.name)) return;
    const owner = store.ownerOf(w.name);
    if (owner) reject(409, `workload ${w.name} belongs to agreement ${owner}`, { field: `workloads.${i}.name` });
    if (ctx.workloads.get(w.name)) reject(409, `workload ${w.name} exists and was not created by agreement ${name}; an agreement takes over nothing it did not create`, { field: `workloads.${i}.name` });
  });
}

/** Cage weakening (host network) the actor's role may not ask for, by workload. */
export function cageViolations(ctx: ClusterCtx, role: Role | undefined, a: CompiledAgreement): { field: string; detail: string }[] {
  return a.workloads.flatMap((w, i) => {
    const v = cageViolation(w, role, ctx.config);
    return v ? [{ field: `workloads.${i}.${v.field}`, detail: `${w.name}: ${v.detail}` }] : [];
  });
}

/**
 * Creates or updates the workloads of one wave. A later wave (`checkNodes` false) runs in the
 * liveness step, where a refusal would stop every agreement: a pinned node gone since the apply
 * leaves its replicas pending instead.
 */
function applyWave(ctx: ClusterCtx, actor: string, a: CompiledAgreement, wave: readonly string[], changes: readonly WorkloadChange[], cause: string, checkNodes = true): void {
  for (const name of wave) {
    const c = changes.find((x) => x.name === name);
    const spec = a.workloads.find((w) => w.name === name);
    if (!c || !spec) continue;
    if (c.action === "create") deployWorkload(ctx, actor, spec, checkNodes);
    else if (c.action === "update") updateWorkload(ctx, actor, spec, cause, checkNodes);
  }
}

/**
 * Moves the agreement to `compiled`: plans the change, and unless `dryRun` applies its first wave
 * now (later waves go in progressAgreements once the wave before is ready) and prunes.
 */
function moveTo(
  ctx: ClusterCtx,
  store: AgreementStore,
  actor: string,
  existing: AgreementRow | undefined,
  compiled: CompiledAgreement,
  opts: { dryRun: boolean; prune: boolean; cause: string; version: number },
): { changes: WorkloadChange[]; pending: string[][] } {
  const owned = existing?.owned ?? [];
  const changes = planWorkloads((n) => ctx.workloads.get(n)?.spec, owned, compiled, opts.prune);
  const touched = new Set(changes.filter((c) => c.action === "create" || c.action === "update").map((c) => c.name));
  const waves = wavesOf(compiled).map((w) => w.filter((n) => touched.has(n))).filter((w) => w.length);
  if (opts.dryRun) return { changes, pending: waves.slice(1) };
  const removed = changes.filter((c) => c.action === "remove").map((c) => c.name);
  for (const name of removed) if (ctx.workloads.get(name) && !ctx.workloads.deletingNames().includes(name)) deleteWorkload(ctx, actor, name);
  const [first = [], ...rest] = waves;
  applyWave(ctx, actor, compiled, first, changes, opts.cause);
  const at = isoNow();
  const nextOwned = [...new Set([...owned.filter((n) => !removed.includes(n)), ...compiled.workloads.map((w) => w.name)])];
  store.put({
    name: compiled.name,
    type: compiled.type,
    version: opts.version,
    status: first.length || rest.length ? "deploying" : "ready",
    owned: nextOwned,
    pending: rest,
    current_wave: first,
    created_at: existing?.created_at ?? at,
    created_by: existing?.created_by ?? actor,
    updated_at: at,
  });
  return { changes, pending: rest };
}

const summary = (r: AgreementRow, hash: string): AgreementSummary => ({
  name: r.name,
  type: r.type,
  version: r.version,
  hash,
  status: r.status,
  workloads: r.owned,
  pending_waves: r.pending,
  created_at: r.created_at,
  created_by: r.created_by,
  updated_at: r.updated_at,
});

/** `enc apply` for one compiled document (group): created | configured | unchanged, idempotent by hash. */
export function applyAgreement(ctx: ClusterCtx, store: AgreementStore, actor: string, unit: CompiledUnit, opts: { dryRun: boolean; prune: boolean }): ApplyOutcome {
  const a = unit.agreement;
  const hash = versionHash(a.type, a.name, unit.documents, a.target_nodes);
  const existing = store.get(a.name);
  checkNamedNodes(ctx, a.target_nodes, "target_nodes");
  if (existing?.status === "removing") reject(409, `agreement ${a.name} is being removed; apply it again once it is gone`, { field: "metadata.name" });
  if (existing && existing.type !== a.type) reject(409, `agreement ${a.name} is a ${existing.type} agreement; a ${a.type} document cannot update it`, { field: "kind" });
  const current = existing ? store.version(a.name, existing.version) : undefined;
  const base = { name: a.name, type: a.type, dry_run: opts.dryRun, registry: a.registry ?? [] };
  if (existing && current?.hash === hash) {
    // Unchanged document: still prune what an earlier apply kept, if asked.
    const kept = existing.owned.filter((n) => !a.workloads.some((w) => w.name === n));
    if (opts.prune && kept.length && !opts.dryRun) {
      for (const n of kept) if (ctx.workloads.get(n) && !ctx.workloads.deletingNames().includes(n)) deleteWorkload(ctx, actor, n);
      store.put({ ...existing, owned: existing.owned.filter((n) => !kept.includes(n)), updated_at: isoNow() });
    }
    const workloads = planWorkloads((n) => ctx.workloads.get(n)?.spec, existing.owned, a, opts.prune);
    return { ...base, action: "unchanged", version: existing.version, hash, previous_hash: hash, workloads, pending_waves: existing.pending };
  }
  checkOwnership(ctx, store, a.name, existing?.owned ?? [], a);
  const version = (store.versions(a.name).at(-1)?.version ?? 0) + 1;
  const cause = existing ? `agreement ${a.name} v${version}` : `agreement ${a.name}`;
  const { changes, pending } = moveTo(ctx, store, actor, existing, a, { ...opts, cause, version });
  if (!opts.dryRun) {
    store.addVersion({ name: a.name, version, hash, type: a.type, documents: unit.documents, compiled: a, author: actor, created_at: isoNow(), cause: existing ? "update" : "deploy" });
    ctx.audit.append(ctx.cluster, existing ? "AgreementUpdated" : "AgreementDeployed", actor, a.name, {
      type: a.type,
      version,
      hash,
      ...(current ? { previous_version: current.version, previous_hash: current.hash } : {}),
      workloads: changes.map((c) => ({ name: c.name, action: c.action, changed: c.changed })),
    });
  }
  return { ...base, action: existing ? "configured" : "created", version, hash, previous_hash: current?.hash ?? null, workloads: changes, pending_waves: pending };
}

/** Re-applies a stored version (`previous`, N or its hash) as the current one. */
export function rollbackAgreement(ctx: ClusterCtx, store: AgreementStore, actor: string, name: string, want: string | number): ApplyOutcome {
  const existing = store.get(name);
  if (!existing) reject(404, `no agreement ${name}`, { field: "name" });
  if (existing.status === "removing") reject(409, `agreement ${name} is being removed`, { field: "name" });
  const versions = store.versions(name);
  const to = resolveVersion(want, versions, existing.version);
  if (!to.ok) reject(422, to.detail, { field: "version" });
  const from = store.version(name, existing.version)!;
  const target = store.version(name, to.version)!;
  checkOwnership(ctx, store, name, existing.owned, target.compiled);
  const { changes, pending } = moveTo(ctx, store, actor, existing, target.compiled, { dryRun: false, prune: true, cause: `agreement ${name} rollback to v${to.version}`, version: to.version });
  ctx.audit.append(ctx.cluster, "AgreementRolledBack", actor, name, {
    type: existing.type,
    from_version: from.version,
    from_hash: from.hash,
    to_version: target.version,
    to_hash: target.hash,
    workloads: changes.map((c) => ({ name: c.name, action: c.action, changed: c.changed })),
  });
  return {
    name, type: existing.type, action: "configured", version: target.version, hash: target.hash, previous_hash: from.hash, dry_run: false,
    workloads: changes, pending_waves: pending, registry: target.compiled.registry ?? [],
  };
}

/** Removes what the agreement created, last wave first (each wave once the one after it is gone). */
export function deleteAgreement(ctx: ClusterCtx, store: AgreementStore, actor: string, name: string): { deleted: string; workloads: string[]; registry: RegistryBinding[] } {
  const existing = store.get(name);
  if (!existing) reject(404, `no agreement ${name}`, { field: "name" });
  const current = store.version(name, existing.version)!;
  const owned = existing.owned;
  const waves = wavesOf(current.compiled).map((w) => w.filter((n) => owned.includes(n)));
  const outside = owned.filter((n) => !waves.flat().includes(n));
  const removal = [outside, ...waves.reverse()].filter((w) => w.length);
  if (existing.status === "removing") return { deleted: name, workloads: owned, registry: current.compiled.registry ?? [] };
  ctx.audit.append(ctx.cluster, "AgreementRemoved", actor, name, { type: existing.type, version: existing.version, hash: current.hash, workloads: owned });
  const [first = [], ...rest] = removal;
  for (const n of first) if (ctx.workloads.get(n) && !ctx.workloads.deletingNames().includes(n)) deleteWorkload(ctx, actor, n);
  if (removal.length === 0) store.remove(name);
  else store.put({ ...existing, status: "removing", pending: rest, current_wave: first, updated_at: isoNow() });
  return { deleted: name, workloads: owned, registry: current.compiled.registry ?? [] };
}

/** One step for every busy agreement: the next wave once the current one is ready (or gone). True if anything moved. */
export function progressAgreements(ctx: ClusterCtx, store: AgreementStore): boolean {
  let moved = false;
  for (const a of store.busy()) {
    if (a.status === "deploying") {
      if (!a.current_wave.every((n) => workloadReady(ctx, n))) continue;
      const [next, ...rest] = a.pending;
      if (!next) {
        store.put({ ...a, status: "ready", current_wave: [], updated_at: isoNow() });
      } else {
        const v = store.version(a.name, a.version)!;
        const changes = planWorkloads((n) => ctx.workloads.get(n)?.spec, a.owned, v.compiled, false);
        applyWave(ctx, "system", v.compiled, next, changes, `agreement ${a.name} v${a.version}`, false);
        store.put({ ...a, pending: rest, current_wave: next, updated_at: isoNow() });
      }
      moved = true;
    } else {
      if (a.current_wave.some((n) => ctx.workloads.get(n))) continue;
      const [next, ...rest] = a.pending;
      if (!next) store.remove(a.name);
      else {
        for (const n of next) if (ctx.workloads.get(n) && !ctx.workloads.deletingNames().includes(n)) deleteWorkload(ctx, "system", n);
        store.put({ ...a, pending: rest, current_wave: next, updated_at: isoNow() });
      }
      moved = true;
    }
  }
  return moved;
}

export function listAgreements(store: AgreementStore): AgreementSummary[] {
  return store.list().map((r) => summary(r, store.version(r.name, r.version)?.hash ?? ""));
}

export function showAgreement(store: AgreementStore, name: string): AgreementView {
  const r = store.get(name);
  if (!r) reject(404, `no agreement ${name}`, { field: "name" });
  const v = store.version(name, r.version)!;
  const { workloads, order, registry, labels, notes, job, target_nodes } = v.compiled;
  return { ...summary(r, v.hash), documents: v.documents, compiled: { workloads, ...(order ? { order } : {}), ...(registry ? { registry } : {}), ...(labels ? { labels } : {}), ...(notes ? { notes } : {}), ...(job ? { job } : {}), ...(target_nodes ? { target_nodes } : {}) } };
}

export function agreementHistory(store: AgreementStore, name: string): AgreementVersion[] {
  const r = store.get(name);
  if (!r) reject(404, `no agreement ${name}`, { field: "name" });
  return store.versions(name).map((v) => ({ version: v.version, hash: v.hash, type: v.type, author: v.author, created_at: v.created_at, cause: v.cause, current: v.version === r.version }));
}

/** Checks without changing anything: ownership always, security and resources when asked. */
export function validateAgreements(
  ctx: ClusterCtx,
  store: AgreementStore,
  role: Role | undefined,
  units: readonly CompiledUnit[],
  opts: { security: boolean; resources: boolean },
): AgreementValidation {
  const out: AgreementValidation["agreements"] = [];
  for (const u of units) {
    const a = u.agreement;
    const existing = store.get(a.name);
    const checks: AgreementValidation["agreements"][number]["checks"] = [{ check: "schema", ok: true, detail: `a valid ${a.type} agreement: ${a.workloads.length} workload(s)` }];
    (a.target_nodes ?? []).forEach((n, i) => {
      if (!ctx.nodes.get(n)) checks.push({ check: "schema", ok: false, field: `target_nodes.${i}`, detail: `${n} is not a node of cluster ${ctx.cluster}` });
    });
    const foreign = a.workloads.flatMap((w, i) => {
      if (existing?.owned.includes(w.name)) return [];
      const owner = store.ownerOf(w.name);
      if (owner && owner !== a.name) return [{ check: "ownership" as const, ok: false, field: `workloads.${i}.name`, detail: `workload ${w.name} belongs to agreement ${owner}` }];
      if (ctx.workloads.get(w.name)) return [{ check: "ownership" as const, ok: false, field: `workloads.${i}.name`, detail: `workload ${w.name} exists outside agreement ${a.name}` }];
      return [];
    });
    checks.push(...(foreign.length ? foreign : [{ check: "ownership" as const, ok: true, detail: "every workload is new or the agreement's own" }]));
    if (opts.security) {
      const v = cageViolations(ctx, role, a).map((x) => ({ check: "security" as const, ok: false, field: x.field, detail: x.detail }));
      if (ctx.config.security_level === "military_grade") {
        a.workloads.forEach((w, i) => {
          if (!w.cage.determinism) v.push({ check: "security", ok: false, field: `workloads.${i}.cage.determinism`, detail: `${w.name}: a military_grade cluster runs deterministic cages only` });
          if (w.ports.length && !w.wallet_authentication) v.push({ check: "security", ok: false, field: `workloads.${i}.wallet_authentication`, detail: `${w.name}: a military_grade cluster serves ports to signed (wallet) callers only` });
        });
      }
      checks.push(...(v.length ? v : [{ check: "security" as const, ok: true, detail: `within the cage policy of a ${ctx.config.security_level} cluster` }]));
    }
    if (opts.resources) {
      const mine = new Set(existing?.owned ?? []);
      const replaced = { cpu_millis: 0, memory_mb: 0 };
      for (const r of ctx.workloads.allReplicas()) {
        if (!mine.has(r.workload) || !r.node) continue;
        replaced.cpu_millis += r.cpu_millis;
        replaced.memory_mb += r.memory_mb;
      }
      const nodes = schedNodes(ctx.nodes.forPlacementAllocated()).filter((n) => !a.target_nodes || a.target_nodes.includes(n.id));
      checks.push(...resourceCheck(a.workloads, nodes, replaced).map((r) => ({ check: "resources" as const, ...r })));
    }
    out.push({ name: a.name, type: a.type, hash: versionHash(a.type, a.name, u.documents, a.target_nodes), workloads: a.workloads.map((w) => w.name), checks });
  }
  return { valid: out.every((a) => a.checks.every((c) => c.ok)), agreements: out };
}
