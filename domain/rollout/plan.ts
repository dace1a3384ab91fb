// The rolling update as pure logic: given a workload's replicas and its rollout state, what to
// create, what to retire and whether the rollout completes or halts. The ClusterDO applies the
// answer and calls again on every heartbeat and alarm, so each call only takes the next step.
// Modelled on Kubernetes Deployments: max_surge replicas above the wanted count may exist, at
// most max_unavailable below it may be unready, and a new replica that does not become ready
// within the progress deadline halts the rollout with the old replicas kept.
import type { RolloutState } from "../../protocol/api/workload.ts";

export type { RolloutState };

export interface RolloutParams {
  maxSurge: number;
  maxUnavailable: number;
  progressDeadlineMs: number;
  /** the spec has a health check: ready means reported healthy, not only running */
  needsHealth: boolean;
}

export const DEFAULT_ROLLOUT = { max_surge: 1, max_unavailable: 0, progress_deadline_s: 120 } as const;

export interface PlanReplica {
  id: string;
  type: string;
  version: number;
  status: string;
  healthy: boolean | null;
  reason: string | null;
  createdMs: number;
}

export type RolloutAction =
  | { kind: "create"; type: string; count: number }
  | { kind: "retire"; ids: string[]; why: string }
  | { kind: "halt"; reason: string; retire: string[] }
  | { kind: "complete" };

export const isReady = (r: PlanReplica, needsHealth: boolean): boolean =>
  r.status === "running" && (needsHealth ? r.healthy === true : r.healthy !== false);

/** Replica ids in numeric order of their suffix, highest first (web-10 after web-9). */
const byIndexDesc = (a: PlanReplica, b: PlanReplica) => b.id.localeCompare(a.id, "en", { numeric: true });

/**
 * The next step of a rollout to `version`. `replicas` are the workload's live replicas (retiring
 * ones left out); `wanted` the count per type of the current spec.
 */
export function planRollout(input: {
  version: number;
  wanted: [string, number][];
  replicas: PlanReplica[];
  state: RolloutState;
  params: RolloutParams;
  now: number;
}): RolloutAction[] {
  const { version, wanted, replicas, state, params, now } = input;
  if (state.status !== "progressing") return [];
  const ready = (r: PlanReplica) => isReady(r, params.needsHealth);

  // A new replica that missed its deadline halts everything: nothing else is touched.
  const since = (r: PlanReplica) => Math.max(r.createdMs, state.clock_ms ?? 0);
  const late = replicas.filter((r) => r.version === version && !ready(r) && now - since(r) > params.progressDeadlineMs);
  if (late.length) {
    const r = late[0];
    const why = `${r.id} not ready within ${Math.round(params.progressDeadlineMs / 1000)}s (${r.status}${r.healthy === false ? ", failing its health check" : ""}${r.reason ? `: ${r.reason}` : ""})`;
    const retire = replicas.filter((x) => x.version === version && !ready(x)).map((x) => x.id);
    return [{ kind: "halt", reason: why, retire }];
  }

  const actions: RolloutAction[] = [];
  let oldLeft = 0;
  for (const [type, want] of wanted) {
    const mine = replicas.filter((r) => r.type === type);
    const fresh = mine.filter((r) => r.version === version);
    const old = mine.filter((r) => r.version !== version);
    const retire: string[] = [];
    // More new ones than wanted (scaled down meanwhile): the surplus goes, unready first.
    const surplusNew = [...fresh].sort((a, b) => Number(ready(a)) - Number(ready(b)) || byIndexDesc(a, b)).slice(0, Math.max(0, fresh.length - want));
    retire.push(...surplusNew.map((r) => r.id));
    const keptNew = fresh.filter((r) => !retire.includes(r.id));
    const readyNew = keptNew.filter(ready).length;

    // Old replicas go unready first (they serve nothing), then ready ones while enough stay ready.
    const minAvailable = Math.max(0, want - params.maxUnavailable);
    const oldUnready = old.filter((r) => !ready(r)).sort(byIndexDesc);
    const oldReady = old.filter(ready).sort(byIndexDesc);
    // An unready old replica may go once its slot is covered (new ones exist for the rest) or the
    // new version already has what is wanted.
    for (const r of oldUnready) {
      if (keptNew.length + (old.length - retire.filter((id) => old.some((o) => o.id === id)).length) > want || readyNew >= want) retire.push(r.id);
    }
    let available = readyNew + oldReady.length;
    for (const r of oldReady) {
      if (available - 1 < minAvailable) break;
      retire.push(r.id);
      available--;
    }
    if (retire.length) actions.push({ kind: "retire", ids: retire, why: "rollout" });

    const total = mine.length - retire.length;
    const room = want + params.maxSurge - total;
    const missing = want - keptNew.length;
    const create = Math.max(0, Math.min(missing, room));
    if (create > 0) actions.push({ kind: "create", type, count: create });
    oldLeft += old.filter((r) => !retire.includes(r.id)).length;
    if (keptNew.length + create < want || readyNew < want) oldLeft += 1; // not done until the new ones serve
  }
  if (oldLeft === 0) actions.push({ kind: "complete" });
  return actions;
}
