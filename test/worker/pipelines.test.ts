import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { BASE, joinNode, twoStageCluster, uniq, wallet, workerFetch } from "./helpers.ts";

type R = { id: string; node: string; spec_version: number; status: string };
type Promo = { id: string; state: string; author: string; gates: { gate: string; state: string; detail: string }[]; approvals: { approver: string }[]; changes: { to_version: number | null }[] };
type Entry = { seq: number; event: string; actor: string; details: Record<string, unknown> };

/** `endpoint`: where the node says every replica listens (the gateway forwards there). */
async function setup(opts: { config?: Record<string, unknown>; endpoint?: string } = {}) {
  const { name, owner, node, approver } = await twoStageCluster(opts.config ?? {});
  const replicas = async (wl: string) => (await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/${wl}`)).replicas;
  /** The node's signed heartbeat: `status` for the replicas `pick` chooses, running for the others. */
  const heartbeat = async (pick: (r: R) => boolean = () => false, status = "failed") => {
    const all = [...(await replicas("web-staging")), ...(await replicas("web-prod"))].filter((r) => r.node === node.signer.address);
    await node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      containers: all.map((r) => ({ replica: r.id, status: pick(r) ? status : "running", ...(opts.endpoint ? { endpoint: opts.endpoint, healthy: true } : {}) })),
    });
  };
  const base = `/v1/clusters/${name}/pipelines`;
  const status = async () => (await owner.api.get<{ pipeline: { promotions: Promo[] } }>(`${base}/web`)).pipeline;
  const until = async <T>(what: string, fn: () => Promise<T | false>, ms = 15_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await heartbeat();
    }
  };
  const audit = async () => (await owner.api.get<{ entries: Entry[] }>(`/v1/clusters/${name}/audit?limit=1000`)).entries;
  return { name, owner, node, approver, replicas, heartbeat, base, status, until, audit };
}

const PIPELINE = {
  name: "web",
  stages: [
    { name: "staging", workloads: ["web-staging"] },
    { name: "production", workloads: ["web-prod"] },
  ],
  gates: { healthy_for_s: 1, verify_timeout_s: 120, approvals: { count: 1, role: "admin" } },
};

describe("TrafficLight pipelines", () => {
  it("dual control: the author's own approval is refused, a second admin's promotes; the health gate turns green on the node's heartbeats", async () => {
    const { name, owner, approver, heartbeat, base, status, until, audit, replicas } = await setup();
    await heartbeat();
    await owner.api.post(base, PIPELINE);
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    expect(promotion.state).toBe("awaiting_approval");
    expect(promotion.author).toBe(owner.signer.address);
    expect(promotion.gates.map((g) => [g.gate, g.state])).toEqual([["source_healthy", "green"], ["approvals", "yellow"]]);

    // The author (here the owner, the highest role) cannot approve their own change.
    await expect(owner.api.post(`${base}/web/promotions/${promotion.id}/approve`, {})).rejects.toMatchObject({ status: 403, problem: { field: "id", detail: expect.stringContaining("dual control") } });
    expect((await status()).promotions[0].state).toBe("awaiting_approval");

    const { promotion: approved } = await approver.api.post<{ promotion: Promo }>(`${base}/web/promotions/${promotion.id}/approve`, { comment: "looks good" });
    expect(approved.state).toBe("verifying");
    expect(approved.changes[0].to_version).toBe(2);
    // A second decision by the same wallet is refused.
    await expect(approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {})).rejects.toMatchObject({ status: 409 });

    const done = await until("promotion green", async () => {
      const p = (await status()).promotions[0];
      return p.state !== "verifying" && p;
    });
    expect(done.state).toBe("promoted");
    expect(done.gates.find((g) => g.gate === "target_healthy")!.state).toBe("green");
    expect((await replicas("web-prod")).some((r) => r.spec_version === 2 && r.status === "running")).toBe(true);
    const prod = await owner.api.get<{ workload: { spec: { image: string }; version: number } }>(`/v1/clusters/${name}/workloads/web-prod`);
    expect(prod.workload).toMatchObject({ version: 2, spec: { image: "oci:/web:v2" } });

    const entries = await audit();
    const approval = entries.find((e) => e.event === "PipelineApproval")!;
    expect(approval.actor).toBe(approver.signer.address);
    const signed = approval.details.signed as { keyid: string; signature_input: string; signature: string; content_digest: string };
    expect(signed.keyid).toBe(approver.signer.address);
    expect(signed.signature_input).toContain(`keyid="${approver.signer.address}"`);
    expect(signed.signature).toMatch(/^enc=:/);
    expect(signed.content_digest).toMatch(/^sha-256=:/);
    expect(signed).toMatchObject({ method: "POST", target_uri: expect.stringContaining(`/promotions/${promotion.id}/approve`) });
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(["PipelineCreated", "PipelinePromotionRequested", "PipelineGate", "PipelineApproval", "PipelinePromoted"]));
    const gates = entries.filter((e) => e.event === "PipelineGate").map((e) => [e.details.gate, e.details.state]);
    expect(gates).toEqual([["source_healthy", "green"], ["approvals", "green"], ["target_healthy", "green"]]);
  });

  it("a red health gate (a failed replica reported by the node) rolls the target back", async () => {
    const { name, owner, approver, heartbeat, base, status, until, audit } = await setup();
    await heartbeat();
    await owner.api.post(base, PIPELINE);
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    await approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {});
    // The node reports the new version's container failed.
    await heartbeat((r) => r.spec_version === 2, "failed");
    const p = await until("rolled back", async () => {
      const x = (await status()).promotions[0];
      return x.state !== "verifying" && x;
    });
    expect(p.state).toBe("rolled_back");
    expect(p.gates.find((g) => g.gate === "target_healthy")).toMatchObject({ state: "red" });
    const prod = await owner.api.get<{ workload: { spec: { image: string }; version: number } }>(`/v1/clusters/${name}/workloads/web-prod`);
    expect(prod.workload.spec.image).toBe("oci:/web:v1");
    expect(prod.workload.version).toBe(3);
    const rb = (await audit()).find((e) => e.event === "PipelineRolledBack")!;
    expect(rb.details).toMatchObject({ promotion: promotion.id, undone: [{ target: "web-prod", restored: 1, to_version: 3 }] });
    // A new promotion may start once this one ended.
    await expect(owner.api.post(`${base}/web/promotions`, {})).resolves.toMatchObject({ promotion: { state: "awaiting_approval" } });
  });

  it("the cluster's policies judge a promotion's update as any other: a deny halts it red and nothing is applied", async () => {
    const { name, owner, approver, heartbeat, base, audit } = await setup();
    await heartbeat();
    await owner.api.post(base, PIPELINE);
    await owner.api.post(`/v1/clusters/${name}/policies`, { name: "no-v2", expr: "object.image == 'oci:/web:v2'", action: "deny", message: "v2 is withdrawn", match: ["update"] });
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    const { promotion: halted } = await approver.api.post<{ promotion: Promo }>(`${base}/web/promotions/${promotion.id}/approve`, {});
    expect(halted.state).toBe("halted");
    expect(halted.gates.find((g) => g.gate === "target_healthy")).toMatchObject({ state: "red", detail: "the change was not applied: web-prod: policy no-v2 denies this update: v2 is withdrawn" });
    expect((await owner.api.get<{ workload: { version: number } }>(`/v1/clusters/${name}/workloads/web-prod`)).workload.version).toBe(1);
    expect((await audit()).find((e) => e.event === "PolicyDecision")).toMatchObject({ actor: owner.signer.address, details: { policy: "no-v2", result: "deny" } });
  });

  it("a rejection is red and changes nothing; bad input names its field; a viewer cannot approve", async () => {
    const { name, owner, approver, heartbeat, base, status } = await setup();
    await heartbeat();
    await expect(owner.api.post(base, { ...PIPELINE, stages: PIPELINE.stages.slice(0, 1) })).rejects.toMatchObject({ status: 422, problem: { field: "stages" } });
    await expect(owner.api.post(base, { ...PIPELINE, gates: { approvals: { count: -1 } } })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringMatching(/^gates/) } });
    await owner.api.post(base, PIPELINE);
    await expect(owner.api.post(base, PIPELINE)).rejects.toMatchObject({ status: 409, problem: { field: "name" } });
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    await expect(viewer.api.post(`${base}/web/promotions/${promotion.id}/approve`, {})).rejects.toMatchObject({ status: 403 });
    await expect(owner.api.post(`${base}/web/promotions`, {})).rejects.toMatchObject({ status: 409 });
    const { promotion: rejected } = await approver.api.post<{ promotion: Promo }>(`${base}/web/promotions/${promotion.id}/reject`, {});
    expect(rejected.state).toBe("rejected");
    expect((await status()).promotions[0].gates.find((g) => g.gate === "approvals")!.state).toBe("red");
    const prod = await owner.api.get<{ workload: { version: number } }>(`/v1/clusters/${name}/workloads/web-prod`);
    expect(prod.workload.version).toBe(1);
  });
});

/** `n` requests through the gateway to `workload` (the real Worker entry, the real upstream): their statuses. */
async function traffic(cluster: string, workload: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await workerFetch(new Request(`${BASE}/v1/clusters/${cluster}/services/${workload}/probe?i=${i}`));
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

const gate = (p: Promo, name: string) => p.gates.find((g) => g.gate === name);

describe("gateway error-rate gate", () => {
  const RATED = { ...PIPELINE, gates: { ...PIPELINE.gates, max_error_rate: 10, min_requests: 5 } };

  it("waits (yellow) without traffic, then is green under the rate: the gateway's outcomes reach the ClusterDO in batches", async () => {
    const { owner, approver, heartbeat, base, status, until, name } = await setup({ endpoint: inject("upstreamOk") });
    await heartbeat();
    await owner.api.post(base, RATED);
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    await approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {});
    await heartbeat();
    // No request reached the target yet: no traffic proves nothing, so the gate waits.
    const waiting = (await status()).promotions[0];
    expect(waiting.state).toBe("verifying");
    expect(gate(waiting, "error_rate")).toMatchObject({ state: "yellow", detail: expect.stringContaining("waiting for traffic") });
    const seen: number[] = [];
    const done = await until("promotion decided", async () => {
      seen.push(...(await traffic(name, "web-prod", 3)));
      const p = (await status()).promotions[0];
      return p.state !== "verifying" && p;
    });
    expect(seen.every((s) => s === 200)).toBe(true);
    expect(done.state).toBe("promoted");
    const rate = gate(done, "error_rate")!;
    expect(rate.state).toBe("green");
    expect(rate.detail).toMatch(/^web-prod: 0 of \d+ request\(s\) answered 5xx \(0\.0%, max 10%\) in the last \d+s$/);
    const counted = Number(/0 of (\d+) request/.exec(rate.detail)![1]);
    expect(counted).toBeGreaterThanOrEqual(5);
    expect(counted).toBeLessThanOrEqual(seen.length);
  });

  it("red when the target's gateway requests fail above the rate: the promotion rolls back", async () => {
    const { owner, approver, heartbeat, base, status, until, name, audit } = await setup({ endpoint: inject("upstreamBad") });
    await heartbeat();
    await owner.api.post(base, RATED);
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    await approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {});
    const seen: number[] = [];
    const done = await until("rolled back", async () => {
      seen.push(...(await traffic(name, "web-prod", 3)));
      const p = (await status()).promotions[0];
      return p.state !== "verifying" && p;
    });
    expect(seen.every((s) => s === 502)).toBe(true);
    expect(done.state).toBe("rolled_back");
    expect(gate(done, "error_rate")).toMatchObject({ state: "red", detail: expect.stringMatching(/^web-prod: (\d+) of \1 request\(s\) answered 5xx \(100\.0%, max 10%\) in the last \d+s, \d+ upstream failure\(s\)$/) });
    const prod = await owner.api.get<{ workload: { spec: { image: string } } }>(`/v1/clusters/${name}/workloads/web-prod`);
    expect(prod.workload.spec.image).toBe("oci:/web:v1");
    const entries = await audit();
    expect(entries.find((e) => e.event === "PipelineRolledBack")!.details).toMatchObject({ promotion: promotion.id, reason: expect.stringContaining("answered 5xx") });
    expect(entries.filter((e) => e.event === "PipelineGate" && e.details.gate === "error_rate").map((e) => e.details.state)).toEqual(["red"]);
  });

  it("validates the gate's fields at the edge; a user's update cannot claim a promotion's cause", async () => {
    const { owner, base, name } = await setup();
    for (const cause of ["pipeline web pr-000000000000", "undo to version 1"]) {
      await expect(owner.api.put(`/v1/clusters/${name}/workloads/web-prod?cause=${encodeURIComponent(cause)}`, { name: "web-prod", image: "oci:/web:v9" })).rejects.toMatchObject({ status: 422, problem: { field: "cause" } });
    }
    expect((await owner.api.get<{ workload: { version: number } }>(`/v1/clusters/${name}/workloads/web-prod`)).workload.version).toBe(1);
    await expect(owner.api.post(base, { ...PIPELINE, gates: { ...PIPELINE.gates, max_error_rate: 101 } })).rejects.toMatchObject({ status: 422, problem: { field: "gates.max_error_rate" } });
    await expect(owner.api.post(base, { ...PIPELINE, gates: { ...PIPELINE.gates, min_requests: 0 } })).rejects.toMatchObject({ status: 422, problem: { field: "gates.min_requests" } });
  });
});

const WITNESS = [{ url: "https://witness.example.com", vkey: "witness.example.com+e85f5128+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH" }];

describe("dual control for production promotions (enterprise)", () => {
  it("a pipeline with fewer than two approvers into production is refused, naming the level and the rule, and is a SecurityViolation", async () => {
    const { name, owner, base, audit } = await setup({ config: { security_level: "enterprise", witnesses: WITNESS } });
    for (const [stages, count] of [
      [PIPELINE.stages, 1],
      [PIPELINE.stages, 0], // no manual gate at all
      [[PIPELINE.stages[0], { name: "live", workloads: ["web-prod"], production: true }], 1],
    ] as const) {
      await expect(owner.api.post(base, { ...PIPELINE, stages, gates: { ...PIPELINE.gates, approvals: { count, role: "admin" } } })).rejects.toMatchObject({
        status: 422,
        problem: { field: "gates.approvals.count", level: "enterprise", rule: "dual-control-production", detail: expect.stringMatching(/^security level enterprise \(rule dual-control-production\)/) },
      });
    }
    const v = (await audit()).filter((e) => e.event === "SecurityViolation").map((e) => e.details);
    expect(v.map((d) => [d.level, d.rule, d.change])).toEqual(Array(3).fill(["enterprise", "dual-control-production", "pipeline"]));
    // Not a production stage: the pipeline's own count holds.
    await owner.api.post(base, { ...PIPELINE, name: "qa", stages: [PIPELINE.stages[0], { name: "qa", workloads: ["web-prod"] }] });
    await owner.api.post(base, { ...PIPELINE, gates: { ...PIPELINE.gates, approvals: { count: 2, role: "admin" } } });
    expect((await owner.api.get<{ pipelines: { name: string }[] }>(`/v1/clusters/${name}/pipelines`)).pipelines.map((p) => p.name)).toEqual(["qa", "web"]);
  });

  it("a cluster raised to enterprise after the pipeline was made: its production promotions still need two approvers besides the author", async () => {
    const { name, owner, approver, heartbeat, base } = await setup({ config: { witnesses: WITNESS } });
    await heartbeat();
    await owner.api.post(base, PIPELINE); // one approval, fine at standard
    await owner.api.post(`/v1/clusters/${name}/security-level`, { security_level: "enterprise" });
    const { promotion } = await owner.api.post<{ promotion: Promo & { approvals_needed: number } }>(`${base}/web/promotions`, {});
    expect(promotion.approvals_needed).toBe(2);
    expect(gate(promotion, "approvals")!.detail).toContain("rule dual-control-production");
    await expect(owner.api.post(`${base}/web/promotions/${promotion.id}/approve`, {})).rejects.toMatchObject({ status: 403 });
    const one = await approver.api.post<{ promotion: Promo }>(`${base}/web/promotions/${promotion.id}/approve`, {});
    expect(one.promotion.state).toBe("awaiting_approval");
    expect(gate(one.promotion, "approvals")).toMatchObject({ state: "yellow", detail: expect.stringMatching(/^1 of 2 approval/) });
    const second = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: second.signer.address, role: "admin" });
    const two = await second.api.post<{ promotion: Promo }>(`${base}/web/promotions/${promotion.id}/approve`, {});
    expect(two.promotion.state).toBe("verifying");
    expect(two.promotion.approvals.map((a) => a.approver)).toEqual([approver.signer.address, second.signer.address]);
  });
});

describe("pipelines across clusters", () => {
  /** Home cluster `home` (owner A) holds web-staging and the pipeline; `prod` (owner B, its own node) holds web-prod. */
  async function twoClusters() {
    const home = await setup();
    const prodOwner = await wallet();
    const prod = uniq("prod");
    await prodOwner.api.post("/v1/clusters", { name: prod, config: {} });
    const prodNode = await joinNode(prodOwner.api, prod);
    await prodOwner.api.post(`/v1/clusters/${prod}/workloads`, { name: "web-prod", image: "oci:/web:v1", resources: { cpu_millis: 100, memory_mb: 32 } });
    const prodReplicas = async () => (await prodOwner.api.get<{ replicas: R[] }>(`/v1/clusters/${prod}/workloads/web-prod`)).replicas;
    const prodHeartbeat = async (failVersion?: number) => {
      const rs = (await prodReplicas()).filter((r) => r.node === prodNode.signer.address);
      await prodNode.api.post(`/v1/clusters/${prod}/nodes/${prodNode.signer.address}/heartbeat`, {
        usage: { cpu_millis: 0, memory_mb: 0 },
        containers: rs.map((r) => ({ replica: r.id, status: r.spec_version === failVersion ? "failed" : "running" })),
      });
    };
    const prodAudit = async () => (await prodOwner.api.get<{ entries: Entry[] }>(`/v1/clusters/${prod}/audit?limit=1000`)).entries;
    const grant = (cluster: string, api: typeof prodOwner.api, address: string, role: string) => api.post(`/v1/clusters/${cluster}/roles`, { address, role });
    const pipeline = { ...PIPELINE, stages: [PIPELINE.stages[0], { name: "production", workloads: ["web-prod"], cluster: prod }] };
    return { ...home, prod, prodOwner, prodHeartbeat, prodAudit, grant, pipeline };
  }

  it("the promoter needs operator and the approvers their role in the target cluster; the home drives the update there and reads its health", async () => {
    const { name, owner, approver, heartbeat, base, status, audit, prod, prodOwner, prodHeartbeat, prodAudit, grant, pipeline } = await twoClusters();
    await heartbeat();
    await prodHeartbeat();
    // The creator must see the other cluster; one that does not exist is refused, naming it.
    await expect(owner.api.post(base, pipeline)).rejects.toMatchObject({ status: 422, problem: { field: "stages", detail: expect.stringContaining(`cluster ${prod}`) } });
    await expect(owner.api.post(base, { ...pipeline, stages: [PIPELINE.stages[0], { ...pipeline.stages[1], cluster: "gone-cluster" }] })).rejects.toMatchObject({ status: 422, problem: { detail: expect.stringContaining("gone-cluster") } });
    await grant(prod, prodOwner.api, owner.signer.address, "viewer");
    await owner.api.post(base, pipeline);
    // A viewer in prod cannot promote into it, even as the home cluster's owner.
    await expect(owner.api.post(`${base}/web/promotions`, {})).rejects.toMatchObject({ status: 403, problem: { field: "to", detail: expect.stringContaining(`operator role in cluster ${prod}`) } });
    await grant(prod, prodOwner.api, owner.signer.address, "operator");
    const { promotion } = await owner.api.post<{ promotion: Promo & { target_cluster: string } }>(`${base}/web/promotions`, {});
    expect(promotion).toMatchObject({ state: "awaiting_approval", target_cluster: prod });
    // An admin of the home cluster holds no role in prod: refused. A prod admin (viewer at home to reach the pipeline) approves.
    await expect(approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {})).rejects.toMatchObject({ status: 403, problem: { detail: expect.stringContaining(prod) } });
    const prodAdmin = await wallet();
    await grant(prod, prodOwner.api, prodAdmin.signer.address, "admin");
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: prodAdmin.signer.address, role: "viewer" });
    const { promotion: approved } = await prodAdmin.api.post<{ promotion: Promo }>(`${base}/web/promotions/${promotion.id}/approve`, {});
    expect(approved.state).toBe("verifying");
    expect(approved.changes[0].to_version).toBe(2);
    const target = await prodOwner.api.get<{ workload: { spec: { image: string }; version: number } }>(`/v1/clusters/${prod}/workloads/web-prod`);
    expect(target.workload).toMatchObject({ version: 2, spec: { image: "oci:/web:v2" } });
    // The target's health is its own cluster's: its node's heartbeats, read by the home over RPC.
    let done: Promo | undefined;
    for (const end = Date.now() + 15_000; !done; ) {
      await prodHeartbeat();
      const p = (await status()).promotions[0];
      if (p.state !== "verifying") done = p;
      else if (Date.now() > end) throw new Error("timed out: remote promotion green");
    }
    expect(done.state).toBe("promoted");
    expect(gate(done, "target_healthy")).toMatchObject({ state: "green", detail: expect.stringContaining("web-prod: 1 replica(s) of version 2 healthy") });
    // Each side audits its part: the home the pipeline receipts, prod the update by the author naming the pipeline.
    const home = await audit();
    expect(home.find((e) => e.event === "PipelinePromoted")!.details).toMatchObject({ promotion: promotion.id, target_cluster: prod });
    expect(home.find((e) => e.event === "PipelineApproval")!).toMatchObject({ actor: prodAdmin.signer.address, details: { role_in: prod } });
    const upd = (await prodAudit()).find((e) => e.event === "WorkloadUpdated")!;
    expect(upd).toMatchObject({ actor: owner.signer.address, details: { cause: `pipeline ${name}/web ${promotion.id}`, version: 2 } });
  });

  it("red in the target cluster rolls back there; a target cluster that refuses the change halts the promotion red with its reason", async () => {
    const { name, owner, approver, heartbeat, base, status, audit, prod, prodOwner, prodHeartbeat, prodAudit, grant, pipeline } = await twoClusters();
    await heartbeat();
    await prodHeartbeat();
    await grant(prod, prodOwner.api, owner.signer.address, "operator");
    await grant(prod, prodOwner.api, approver.signer.address, "admin");
    await owner.api.post(base, pipeline);
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    await approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {});
    let done: Promo | undefined;
    for (const end = Date.now() + 15_000; !done; ) {
      await prodHeartbeat(2);
      const p = (await status()).promotions[0];
      if (p.state !== "verifying") done = p;
      else if (Date.now() > end) throw new Error("timed out: remote rollback");
    }
    expect(done.state).toBe("rolled_back");
    const target = await prodOwner.api.get<{ workload: { spec: { image: string }; version: number } }>(`/v1/clusters/${prod}/workloads/web-prod`);
    expect(target.workload).toMatchObject({ version: 3, spec: { image: "oci:/web:v1" } });
    expect((await audit()).find((e) => e.event === "PipelineRolledBack")!.details).toMatchObject({ target_cluster: prod, undone: [{ target: "web-prod", restored: 1, to_version: 3 }] });
    expect((await prodAudit()).find((e) => e.event === "RolloutUndone")!).toMatchObject({ actor: "system", details: { pipeline: `${name}/web`, promotion: promotion.id } });

    // prod's own policies judge the change it is asked to make: a deny there halts the next promotion red, nothing applied.
    await prodOwner.api.post(`/v1/clusters/${prod}/policies`, { name: "freeze", expr: "true", action: "deny", message: "release freeze", match: ["update"] });
    const { promotion: next } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    const { promotion: halted } = await approver.api.post<{ promotion: Promo }>(`${base}/web/promotions/${next.id}/approve`, {});
    expect(halted.state).toBe("halted");
    expect(gate(halted, "target_healthy")).toMatchObject({ state: "red", detail: expect.stringContaining(`cluster ${prod}: web-prod: policy freeze denies this update: release freeze`) });
    const after = await prodOwner.api.get<{ workload: { version: number } }>(`/v1/clusters/${prod}/workloads/web-prod`);
    expect(after.workload.version).toBe(3);
    expect((await status()).promotions.map((p) => p.state)).toEqual(["rolled_back", "halted"]);
  });

  it("an approved change whose apply never finished (the home ClusterDO stopped meanwhile) is reported halted with what the target cluster holds", async () => {
    const { name, owner, approver, heartbeat, base, status, prod, prodOwner, prodHeartbeat, grant, pipeline } = await twoClusters();
    await heartbeat();
    await prodHeartbeat();
    await grant(prod, prodOwner.api, owner.signer.address, "operator");
    await grant(prod, prodOwner.api, approver.signer.address, "admin");
    await owner.api.post(base, pipeline);
    const { promotion } = await owner.api.post<{ promotion: Promo }>(`${base}/web/promotions`, {});
    // What an approval leaves if the instance is lost between it and the answer of prod: `applying`, long ago.
    await runInDurableObject(env.CLUSTER.get(env.CLUSTER.idFromName(name)), (_i, state) => {
      const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'pipelines'").one();
      const all = JSON.parse(row.value) as Record<string, { promotions: Record<string, unknown>[] }>;
      Object.assign(all.web.promotions[0], { state: "applying", created_at: new Date(Date.now() - 120_000).toISOString() });
      state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'pipelines'", JSON.stringify(all));
    });
    await expect(approver.api.post(`${base}/web/promotions/${promotion.id}/approve`, {})).rejects.toMatchObject({ status: 409 });
    const p = (await status()).promotions[0];
    expect(p.state).toBe("halted");
    expect(gate(p, "target_healthy")).toMatchObject({ state: "red", detail: `the change is not confirmed: it was being made when this cluster's ClusterDO stopped; cluster ${prod} now: web-prod at version 1 (was 1)` });
    // The pipeline is open again.
    await expect(owner.api.post(`${base}/web/promotions`, {})).resolves.toMatchObject({ promotion: { state: "awaiting_approval" } });
  });
});
