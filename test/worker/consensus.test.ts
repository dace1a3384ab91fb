// Consensus placement in the ClusterDO (workerd, real DO SQLite): proposals wait for validators,
// answers are checked and counted, k approvals commit a round into the node's desired state, a
// refusal that makes k unreachable sends the replica back to pending, and the validator set moves
// only by a change k validators signed.
import { describe, expect, it } from "vitest";
import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import type { PlacementProposal } from "../../protocol/api/placement.ts";
import {
  checkQuorum, hashValidatorSetBody, signPlacementApproval, signPlacementRefusal, signValidatorSetChange, specHash, validatorSetBody, verifyKeptRequest,
} from "../../protocol/placement-approval.ts";
import vectors from "../vectors/protocol-v1.1.json";
import { signerFromHex } from "../../protocol/ed25519.ts";
import { CAPS, uniq, wallet } from "./helpers.ts";

type W = Awaited<ReturnType<typeof wallet>>;
type R = { id: string; node: string | null; status: string; reason?: string };
type DS = { replicas: { id: string; spec: unknown; placement?: { round: number; approvals: unknown[] } }[]; proposals?: PlacementProposal[]; validator_set_changes?: unknown[] };

const join = async (owner: ApiClient, cluster: string, w: W, node_type: string) => {
  const { token } = await owner.post<{ token: string }>(`/v1/clusters/${cluster}/join-tokens`, {});
  return w.api.post<{ node: unknown; validator_set?: { epoch: number; quorum: number; validators: string[] } }>(`/v1/clusters/${cluster}/nodes`, { token, node_type, endpoint: "http://127.0.0.1:9000", capabilities: CAPS });
};
const beat = (w: W, cluster: string, extra: Record<string, unknown> = {}) =>
  w.api.post(`/v1/clusters/${cluster}/nodes/${w.signer.address}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, ...extra });
const desired = (w: W, cluster: string) => w.api.get<DS>(`/v1/clusters/${cluster}/nodes/${w.signer.address}/desired?wait=0`);
const problem = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected a problem");
};

async function consensusCluster() {
  const owner = await wallet();
  const [v1, v2, c] = [await wallet(), await wallet(), await wallet()];
  const name = uniq("cons");
  await owner.api.post("/v1/clusters", { name, config: { placement: { mode: "consensus", quorum: 2, validators: [v1.signer.address, v2.signer.address] } } });
  return { name, owner, v1, v2, c };
}

const keyOf = (p: PlacementProposal) => ({ cluster: p.cluster, workload: p.workload, replica: p.replica, node: p.node, spec_hash: p.spec_hash, round: p.round });
const SPEC = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: "oci:/x:latest", constraints: { node_type: "compute" }, ...extra });

describe("consensus placement", () => {
  it("reproduces the placement_approval vector in workerd", async () => {
    const v = vectors.placement_approval;
    const signer = await signerFromHex(vectors.keys.validator_seed);
    expect(specHash(v.spec)).toBe(v.approval.spec_hash);
    const a = await signPlacementApproval({ cluster: "prod", workload: "web-api", replica: "web-api-1", node: v.approval.node, spec_hash: v.approval.spec_hash, round: 1, ts: v.approval.ts }, signer);
    expect(a).toEqual(v.approval);
  });

  it("refuses a config whose quorum exceeds its validators, naming the field", async () => {
    const owner = await wallet();
    const e = await problem(owner.api.post("/v1/clusters", { name: uniq("bad"), config: { placement: { mode: "consensus", quorum: 2, validators: [owner.signer.address] } } }));
    expect(e.status).toBe(422);
    expect(JSON.stringify(e.problem)).toContain("placement.quorum");
  });

  it("pins the set at join, waits for validators, commits with k approvals, refuses on a refusal", async () => {
    const { name, owner, v1, v2, c } = await consensusCluster();
    // Only the set's keys join as validators, and they join as validators.
    expect((await problem(join(owner.api, name, v1, "compute"))).status).toBe(409);
    expect((await problem(join(owner.api, name, await wallet(), "validator"))).status).toBe(409);
    const joined = await join(owner.api, name, c, "compute");
    expect(joined.validator_set).toMatchObject({ epoch: 1, quorum: 2, validators: [v1.signer.address, v2.signer.address] });
    await join(owner.api, name, v1, "validator");
    await beat(c, name);

    // One validator of the two needed: the replica waits, with that reason.
    const dep = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, SPEC("web"));
    expect(dep.replicas[0]).toMatchObject({ node: null, status: "pending" });
    expect(dep.replicas[0].reason).toMatch(/waiting for validators: 1 of the 2 needed are alive/);
    const ev = await owner.api.get<{ events: { kind: string; reason?: string }[] }>(`/v1/clusters/${name}/events?workload=web`);
    expect(ev.events.some((e) => e.kind === "awaiting_validators")).toBe(true);

    // The second validator joins: the replica is proposed (placed, not yet in the desired state).
    await join(owner.api, name, v2, "validator");
    const id = dep.replicas[0].id;
    const r1 = (await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/web`)).replicas[0];
    expect(r1).toMatchObject({ node: c.signer.address, status: "pending" });
    expect(r1.reason).toMatch(/awaiting 2 validator approvals \(round 1\)/);
    expect((await desired(c, name)).replicas).toEqual([]);
    const [p] = (await desired(v1, name)).proposals!;
    expect(p).toMatchObject({ replica: id, node: c.signer.address, round: 1, workload: "web" });
    expect(p.spec_hash).toBe(specHash(p.spec));
    expect(p.spec_entry).toMatchObject({ event: "WorkloadDeployed", subject: "web", actor: owner.signer.address });
    expect((await verifyKeptRequest(p.heartbeat!, c.signer.address)).ok).toBe(true);
    expect((p.snapshot.request as { replicaId: string }).replicaId).toBe(id);
    expect((await desired(c, name)).proposals).toBeUndefined(); // not a validator

    // Answers: signed by the poster, for this round, once each.
    const a1 = await signPlacementApproval(keyOf(p), v1.signer);
    const post = (w: W, body: unknown) => w.api.post<{ status: string }>(`/v1/clusters/${name}/nodes/${w.signer.address}/placements`, body);
    expect((await problem(post(v2, { approval: a1 }))).status).toBe(422);
    expect((await problem(post(v1, { approval: { ...a1, round: 2 } }))).status).toBe(422); // hash no longer matches
    expect((await problem(post(c, { approval: await signPlacementApproval(keyOf(p), c.signer) }))).status).toBe(403);
    expect((await post(v1, { approval: a1 })).status).toBe("proposed");
    expect((await problem(post(v1, { approval: a1 }))).status).toBe(409);
    expect((await desired(v1, name)).proposals).toBeUndefined(); // answered
    expect((await desired(c, name)).replicas).toEqual([]);
    const a2 = await signPlacementApproval(keyOf(p), v2.signer);
    expect((await post(v2, { approval: a2 })).status).toBe("committed");

    // Committed: the node's desired state carries the replica with approvals the protocol accepts.
    const ds = await desired(c, name);
    expect(ds.replicas.map((r) => r.id)).toEqual([id]);
    const q = await checkQuorum(ds.replicas[0].placement!.approvals, { ...keyOf(p), spec_hash: specHash(ds.replicas[0].spec) }, { quorum: 2, validators: [v1.signer.address, v2.signer.address] });
    expect(q).toMatchObject({ ok: true, approvers: [v1.signer.address, v2.signer.address] });
    const { entries } = await owner.api.get<{ entries: { event: string; subject: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.find((e) => e.event === "PlacementCommitted")).toMatchObject({ subject: id, details: { round: 1, node: c.signer.address, quorum: 2 } });

    // A refusal leaves k = 2 of 2 unreachable: the round is refused, the replica waits unplaced.
    const dep2 = await owner.api.post<{ replicas: R[] }>(`/v1/clusters/${name}/workloads`, SPEC("big"));
    const [p2] = (await desired(v2, name)).proposals!;
    expect(p2.replica).toBe(dep2.replicas[0].id);
    const no = await signPlacementRefusal({ ...keyOf(p2), reason: "node lacks memory" }, v2.signer);
    expect((await post(v2, { refusal: no })).status).toBe("refused");
    const big = (await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/big`)).replicas[0];
    expect(big).toMatchObject({ node: null, status: "pending" });
    expect(big.reason).toContain("node lacks memory");
    expect((await desired(c, name)).replicas.map((r) => r.id)).toEqual([id]);
    expect((await desired(v1, name)).proposals).toBeUndefined(); // the refused round is closed
    await beat(c, name); // within the retry delay: not proposed again
    expect((await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/big`)).replicas[0].node).toBeNull();

    // enc placements' view: each round with its answers.
    const view = await owner.api.get<{ quorum: number; placements: { status: string; approvals: unknown[]; refusals: unknown[] }[] }>(`/v1/clusters/${name}/workloads/web/placements`);
    expect(view.quorum).toBe(2);
    expect(view.placements).toMatchObject([{ status: "committed", round: 1 }]);
    expect(view.placements[0].approvals).toHaveLength(2);
    const viewBig = await owner.api.get<{ placements: { status: string; refusals: { reason: string }[] }[] }>(`/v1/clusters/${name}/workloads/big/placements`);
    expect(viewBig.placements[0]).toMatchObject({ status: "refused", refusals: [{ reason: "node lacks memory" }] });

    // Validators read the audit chain on the agent channel; other nodes do not.
    const audit = await v1.api.get<{ entries: { seq: number }[] }>(`/v1/clusters/${name}/nodes/${v1.signer.address}/audit?from_seq=1`);
    expect(audit.entries[0].seq).toBe(1);
    expect((await problem(c.api.get(`/v1/clusters/${name}/nodes/${c.signer.address}/audit`))).status).toBe(403);
  });

  it("changes the validator set only with k signatures of the current set, audited and carried to agents", async () => {
    const { name, owner, v1, v2, c } = await consensusCluster();
    await join(owner.api, name, c, "compute");
    const v3 = await wallet();
    const { validator_set: cur } = await owner.api.get<{ validator_set: { hash: string; epoch: number } }>(`/v1/clusters/${name}/validator-set`);
    const body = validatorSetBody(name, 2, 2, [v1.signer.address, v2.signer.address, v3.signer.address], cur.hash);
    const change = { ...body, hash: hashValidatorSetBody(body) };
    const s1 = await signValidatorSetChange(change.hash, v1.signer);
    const e = await problem(owner.api.post(`/v1/clusters/${name}/validator-set`, { change, signatures: [s1, await signValidatorSetChange(change.hash, v3.signer)] }));
    expect(e.status).toBe(422);
    expect(e.message).toMatch(/signed by 1 validator/);
    const ok = await owner.api.post<{ validator_set: { epoch: number; validators: string[] } }>(`/v1/clusters/${name}/validator-set`, { change, signatures: [s1, await signValidatorSetChange(change.hash, v2.signer)] });
    expect(ok.validator_set).toMatchObject({ epoch: 2, validators: [v1.signer.address, v2.signer.address, v3.signer.address] });
    const { entries } = await owner.api.get<{ entries: { event: string }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.some((x) => x.event === "ValidatorSetChanged")).toBe(true);
    expect((await desired(c, name)).validator_set_changes).toHaveLength(1);
    // v3 may now join as a validator; a stale change (epoch 2 again) is refused.
    await join(owner.api, name, v3, "validator");
    expect((await problem(owner.api.post(`/v1/clusters/${name}/validator-set`, { change, signatures: [s1] }))).status).toBe(422);
  });
});
