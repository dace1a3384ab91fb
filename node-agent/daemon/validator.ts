// A validator node's part in consensus placement (README "Consensus placement"): each proposal in
// its desired state is checked on its own, from signed inputs, and answered with a signed
// PlacementApproval or a signed refusal naming why. The checks:
//   - the spec is the one whose hash is proposed, and the audit entry that set it is signed by the
//     pinned control-plane key and sits in the audit chain this validator follows (hash-linked from
//     seq 1), where its author held operator, admin or owner at that point;
//   - the chosen node's last heartbeat verifies as its own signed request and is recent, and the
//     node's capacity (what that heartbeat offers, else what it joined with) holds what is
//     allocated there plus this replica;
//   - the deterministic scheduler, rerun on the proposal's snapshot, picks the same node (which
//     also applies the workload's constraints).
import { ApiError } from "../../protocol/api-client.ts";
import { HeartbeatBody } from "../../protocol/api/agent.ts";
import { PlacementProposal } from "../../protocol/api/placement.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import { signPlacementApproval, signPlacementRefusal, specHash, verifyKeptRequest } from "../../protocol/placement-approval.ts";
import { routes } from "../../protocol/routes.ts";
import { verifyAuditEntry } from "../../protocol/signed.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { placeMany } from "../../domain/scheduler/schedule.ts";
import type { PlacementRequest, ScheduleOptions, SchedNode, SchedulerState } from "../../domain/scheduler/types.ts";
import type { ControlPlane } from "./control-plane.ts";
import type { Logger } from "./logger.ts";

/** A heartbeat older than this (from the proposal's time) says too little about the node now. */
export const HEARTBEAT_MAX_AGE_S = 120;
const OPERATOR_ROLES = new Set(["owner", "admin", "operator"]);

type Entry = { seq: number; event: string; actor: string; subject: string; details?: Record<string, unknown>; prev_hash: string; hash: string };

export type Verdict = { ok: true } | { ok: false; reason: string };

/** The audit chain as far as this validator has followed and verified it, with who held which role when. */
class FollowedChain {
  seq = 0;
  hash = GENESIS;
  private readonly hashes = new Map<number, string>();
  /** role changes in seq order */
  private readonly roleLog: { seq: number; address: string; role: string | null }[] = [];

  constructor(private readonly controlPlane: string) {}

  /** Verifies and appends entries that continue the chain; throws on a break. */
  async extend(entries: unknown[]): Promise<void> {
    for (const raw of entries) {
      const e = raw as Entry;
      if (e.seq <= this.seq) continue;
      if (e.seq !== this.seq + 1) throw new Error(`audit chain: seq ${e.seq} after ${this.seq}`);
      if (e.prev_hash !== this.hash) throw new Error(`audit chain: entry ${e.seq} does not follow ${this.hash}`);
      const v = await verifyAuditEntry(e, this.controlPlane);
      if (!v.ok) throw new Error(`audit chain: entry ${e.seq}: ${v.reason}`);
      if (e.event === "ClusterCreated") this.roleLog.push({ seq: e.seq, address: e.actor, role: "owner" });
      if (e.event === "RoleGranted") this.roleLog.push({ seq: e.seq, address: e.subject, role: String(e.details?.role) });
      if (e.event === "RoleRevoked") this.roleLog.push({ seq: e.seq, address: e.subject, role: null });
      this.seq = e.seq;
      this.hash = e.hash;
      this.hashes.set(e.seq, e.hash);
    }
  }

  hashAt(seq: number): string | undefined {
    return this.hashes.get(seq);
  }

  /** The role `address` held just before entry `seq`. */
  roleAt(address: string, seq: number): string | null {
    let role: string | null = null;
    for (const r of this.roleLog) if (r.seq < seq && r.address === address) role = r.role;
    return role;
  }
}

export class Validator {
  private readonly answered = new Set<string>();
  private readonly chain: FollowedChain;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly cp: ControlPlane,
    private readonly signer: Signer,
    private readonly cluster: string,
    private readonly controlPlane: string,
    private readonly log: Logger,
  ) {
    this.chain = new FollowedChain(controlPlane);
  }

  /** Answers the proposals not answered yet, one at a time, after those of earlier calls. */
  handle(proposals: unknown[]): Promise<void> {
    this.running = this.running.then(async () => {
      for (const p of proposals) {
        const id = `${(p as { replica?: string }).replica}#${(p as { round?: number }).round}`;
        if (this.answered.has(id)) continue;
        try {
          await this.answer(p);
          this.answered.add(id);
        } catch (err) {
          this.log.warn("placement proposal not answered", { proposal: id, error: (err as Error).message });
        }
      }
    });
    return this.running;
  }

  private async answer(raw: unknown): Promise<void> {
    const parsed = PlacementProposal.safeParse(raw);
    if (!parsed.success) throw new Error(`malformed proposal: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const p = parsed.data;
    const key = { cluster: p.cluster, workload: p.workload, replica: p.replica, node: p.node, spec_hash: p.spec_hash, round: p.round };
    const verdict = await this.check(p);
    const path = routes.nodePlacements(this.cluster, this.signer.address);
    const body = verdict.ok
      ? { approval: await signPlacementApproval(key, this.signer) }
      : { refusal: await signPlacementRefusal({ ...key, reason: verdict.reason.slice(0, 1000) }, this.signer) };
    try {
      const res = await this.cp.api.post<{ status: string }>(path, body);
      this.log.info(verdict.ok ? "placement approved" : "placement refused", { replica: p.replica, round: p.round, node: p.node, status: res.status, ...(verdict.ok ? {} : { reason: verdict.reason }) });
    } catch (err) {
      // Another answer committed or refused the round first, or it was superseded: nothing to do.
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) return;
      throw err;
    }
  }

  /** Every check of the proposal, from its signed inputs; the first that fails is the refusal's reason. */
  async check(p: PlacementProposal): Promise<Verdict> {
    const no = (reason: string): Verdict => ({ ok: false, reason });
    if (p.cluster !== this.cluster) return no(`proposal for cluster ${p.cluster}`);
    if (specHash(p.spec) !== p.spec_hash) return no("spec_hash is not the hash of the proposed spec");
    if (p.spec.name !== p.workload) return no(`the spec is of ${p.spec.name}, not ${p.workload}`);

    // The spec's audit entry, in the chain, by someone who could deploy.
    const e = p.spec_entry as unknown as Entry;
    const entryOk = await verifyAuditEntry(e, this.controlPlane);
    if (!entryOk.ok) return no(`spec audit entry: ${entryOk.reason}`);
    if (e.subject !== p.workload) return no(`spec audit entry ${e.seq} is about ${e.subject}`);
    const entrySpec = e.details?.spec;
    if (entrySpec !== undefined && specHash(entrySpec) !== p.spec_hash) return no(`spec audit entry ${e.seq} carries another spec`);
    await this.follow(e.seq);
    if (this.chain.hashAt(e.seq) !== e.hash) return no(`spec audit entry ${e.seq} is not the one in the audit chain`);
    const role = this.chain.roleAt(e.actor, e.seq);
    if (!role || !OPERATOR_ROLES.has(role)) return no(`${e.actor} held ${role ?? "no role"} when entry ${e.seq} was made; deploying needs operator`);

    // The scheduler's inputs and its choice.
    const snap = p.snapshot as unknown as { request: PlacementRequest; nodes: SchedNode[]; state: SchedulerState; opts: ScheduleOptions };
    const req = snap.request;
    if (req.replicaId !== p.replica || req.workload !== p.workload) return no("the snapshot's request is for another replica");
    const res = p.spec.resources as { cpu_millis: number; memory_mb: number; storage_gb: number } | undefined;
    if (!res || req.resources.cpu_millis !== res.cpu_millis || req.resources.memory_mb !== res.memory_mb) return no("the snapshot's request does not ask for the spec's resources");
    if (JSON.stringify(req.constraints ?? null) !== JSON.stringify(p.spec.constraints ?? null)) return no("the snapshot's request does not carry the spec's constraints");
    const node = snap.nodes.find((n) => n.id === p.node);
    if (!node) return no(`node ${p.node} is not in the snapshot`);

    // The node's own signed word on its state.
    if (!p.heartbeat) return no(`no signed heartbeat of node ${p.node}`);
    const hb = await verifyKeptRequest(p.heartbeat, p.node);
    if (!hb.ok) return no(`heartbeat of ${p.node}: ${hb.reason}`);
    const age = Date.parse(p.proposed_at) / 1000 - hb.created;
    if (age > HEARTBEAT_MAX_AGE_S) return no(`the last signed heartbeat of ${p.node} is ${Math.round(age)} s old`);
    let beat: HeartbeatBody;
    try {
      beat = HeartbeatBody.parse(JSON.parse(hb.body));
    } catch {
      return no(`the heartbeat of ${p.node} is not a heartbeat body`);
    }
    const cap = beat.capacity ?? { cpu_millis: node.capabilities.cpu_millis, memory_mb: node.capabilities.memory_mb };
    const usedMem = Math.max(node.allocated.memory_mb, beat.usage.memory_mb);
    const usedCpu = Math.max(node.allocated.cpu_millis, beat.usage.cpu_millis);
    if (usedMem + req.resources.memory_mb > cap.memory_mb) {
      return no(`node ${p.node} lacks memory: its signed heartbeat offers ${cap.memory_mb} MiB, ${usedMem} MiB in use or allocated, ${req.resources.memory_mb} MiB asked`);
    }
    if (usedCpu + req.resources.cpu_millis > cap.cpu_millis) {
      return no(`node ${p.node} lacks CPU: its signed heartbeat offers ${cap.cpu_millis} millicores, ${usedCpu} in use or allocated, ${req.resources.cpu_millis} asked`);
    }

    const again = placeMany([req], snap.nodes, snap.state, snap.opts).outcomes[0];
    if (!again.ok) return no(`the scheduler, rerun on the snapshot, places it nowhere: ${again.reason}`);
    if (again.nodeId !== p.node) return no(`the scheduler, rerun on the snapshot, picks ${again.nodeId}, not ${p.node}`);
    return { ok: true };
  }

  /** Reads the audit chain up to `seq` (at least), verifying each entry and its link. */
  private async follow(seq: number): Promise<void> {
    while (this.chain.seq < seq) {
      const { entries } = await this.cp.api.get<{ entries: unknown[] }>(`${routes.nodeAudit(this.cluster, this.signer.address)}?from_seq=${this.chain.seq + 1}&limit=500`);
      if (entries.length === 0) throw new Error(`the audit chain ends before entry ${seq}`);
      await this.chain.extend(entries);
    }
  }
}
