// Pure decisions of the agreement engine: the version hash, what an apply changes per workload,
// which version a rollback means, and whether the cluster has room. The ClusterDO only stores and
// acts on these answers.
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { hashCanonical } from "../../protocol/hash.ts";
import type { SchedNode } from "../scheduler/types.ts";
import type { AgreementType, CompiledAgreement } from "./types.ts";

/** A version's identity: blake3 of the JCS of its type, name and normalized documents. */
/** The version's identity: its documents, and the nodes it was pinned to (absent when none, so older hashes hold). */
export const versionHash = (type: AgreementType, name: string, documents: unknown[], targetNodes?: string[]): string =>
  hashCanonical({ type, name, documents, ...(targetNodes?.length ? { target_nodes: targetNodes } : {}) });

export interface WorkloadChange {
  name: string;
  action: "create" | "update" | "unchanged" | "remove" | "keep";
  changed: string[];
  changes: { field: string; from?: unknown; to?: unknown }[];
  wave?: number;
}

const canon = (v: unknown) => JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** Top-level fields that differ, with their values before and after. */
export function specChanges(from: WorkloadSpec | undefined, to: WorkloadSpec | undefined): { field: string; from?: unknown; to?: unknown }[] {
  const a = (from ?? {}) as Record<string, unknown>;
  const b = (to ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => canon(a[k]) !== canon(b[k]))
    .sort()
    .map((field) => ({ field, ...(field in a ? { from: a[field] } : {}), ...(field in b ? { to: b[field] } : {}) }));
}

/** Waves of the compiled agreement: its `order`, or one wave of everything. */
export function wavesOf(a: Pick<CompiledAgreement, "workloads" | "order">): string[][] {
  if (!a.order?.length) return [a.workloads.map((w) => w.name)];
  const named = new Set(a.order.flat());
  const rest = a.workloads.map((w) => w.name).filter((n) => !named.has(n));
  return rest.length ? [...a.order, rest] : a.order;
}

/**
 * Per workload: create what does not exist, update (rolling) what differs, leave the rest; what
 * the agreement owned and no longer names is removed with `prune`, else kept (and still owned).
 */
export function planWorkloads(current: (name: string) => WorkloadSpec | undefined, owned: readonly string[], next: CompiledAgreement, prune: boolean): WorkloadChange[] {
  const waves = wavesOf(next);
  const waveOf = new Map(waves.flatMap((w, i) => w.map((n) => [n, i] as const)));
  const out: WorkloadChange[] = next.workloads.map((spec) => {
    const now = current(spec.name);
    const changes = specChanges(now, spec);
    const action = !now ? "create" : changes.length ? "update" : "unchanged";
    return { name: spec.name, action, changed: now ? changes.map((c) => c.field) : [], changes: now ? changes : [], wave: waveOf.get(spec.name) ?? 0 };
  });
  const named = new Set(next.workloads.map((w) => w.name));
  for (const name of owned) {
    if (named.has(name)) continue;
    out.push({ name, action: prune ? "remove" : "keep", changed: [], changes: [] });
  }
  return out;
}

/** The version `previous | N | blake3:…` names, given the versions (ascending) and the current one. */
export function resolveVersion(
  want: string | number,
  versions: readonly { version: number; hash: string }[],
  current: number,
): { ok: true; version: number } | { ok: false; detail: string } {
  if (want === "previous") {
    const prev = versions.filter((v) => v.version < current).at(-1);
    return prev ? { ok: true, version: prev.version } : { ok: false, detail: `version ${current} is the first: there is no previous version` };
  }
  const n = typeof want === "number" ? want : /^[0-9]+$/.test(want) ? Number(want) : undefined;
  const hit = n !== undefined ? versions.find((v) => v.version === n) : versions.filter((v) => v.hash === want).at(-1);
  return hit ? { ok: true, version: hit.version } : { ok: false, detail: `no version ${want} (versions: ${versions.map((v) => v.version).join(", ")})` };
}

export interface ResourceVerdict {
  ok: boolean;
  detail: string;
  field?: string;
}

/**
 * Would the agreement's replicas fit the cluster's ready nodes next to what runs there now (less
 * what the agreement itself already runs, which it replaces)? Each replica must fit one node, and
 * the sums must fit the cluster.
 */
export function resourceCheck(workloads: readonly WorkloadSpec[], nodes: readonly SchedNode[], replacedAllocation: { cpu_millis: number; memory_mb: number }): ResourceVerdict[] {
  const ready = nodes.filter((n) => n.status === "ready");
  const out: ResourceVerdict[] = [];
  if (ready.length === 0) return [{ ok: false, detail: "the cluster has no ready node" }];
  const free = ready.map((n) => ({ cpu: n.capabilities.cpu_millis - n.allocated.cpu_millis, mem: n.capabilities.memory_mb - n.allocated.memory_mb, total: n.capabilities }));
  const freeCpu = free.reduce((s, f) => s + f.cpu, 0) + replacedAllocation.cpu_millis;
  const freeMem = free.reduce((s, f) => s + f.mem, 0) + replacedAllocation.memory_mb;
  let cpu = 0;
  let mem = 0;
  workloads.forEach((w, i) => {
    const n = w.replicas + w.secondaries + w.read_only_replicas + w.load_balancer_replicas;
    cpu += n * w.resources.cpu_millis;
    mem += n * w.resources.memory_mb;
    if (n > 0 && !free.some((f) => f.total.cpu_millis >= w.resources.cpu_millis && f.total.memory_mb >= w.resources.memory_mb)) {
      out.push({ ok: false, field: `workloads.${i}.resources`, detail: `a replica of ${w.name} (${w.resources.cpu_millis}m CPU, ${w.resources.memory_mb} MiB) is larger than every ready node` });
    }
  });
  if (cpu > freeCpu) out.push({ ok: false, detail: `needs ${cpu}m CPU; the ready nodes have ${freeCpu}m free` });
  if (mem > freeMem) out.push({ ok: false, detail: `needs ${mem} MiB memory; the ready nodes have ${freeMem} MiB free` });
  if (out.length === 0) out.push({ ok: true, detail: `needs ${cpu}m CPU and ${mem} MiB; ${ready.length} ready node(s) have ${freeCpu}m and ${freeMem} MiB free` });
  return out;
}
