import { describe, expect, it } from "vitest";
import { joinNode, newCluster, wallet } from "./helpers.ts";

type R = { id: string; node: string; spec_version: number; status: string };
type Promo = { id: string; state: string; author: string; gates: { gate: string; state: string; detail: string }[]; approvals: { approver: string }[]; changes: { to_version: number | null }[] };
type Entry = { seq: number; event: string; actor: string; details: Record<string, unknown> };

async function setup() {
  const { name, owner } = await newCluster();
  const node = await joinNode(owner.api, name);
  const approver = await wallet();
  await owner.api.post(`/v1/clusters/${name}/roles`, { address: approver.signer.address, role: "admin" });
  const res = { cpu_millis: 100, memory_mb: 32 };
  await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web-staging", image: "oci:/web:v2", resources: res });
  await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web-prod", image: "oci:/web:v1", resources: res });
  const replicas = async (wl: string) => (await owner.api.get<{ replicas: R[] }>(`/v1/clusters/${name}/workloads/${wl}`)).replicas;
  /** The node's signed heartbeat: `status` for the replicas `pick` chooses, running for the others. */
  const heartbeat = async (pick: (r: R) => boolean = () => false, status = "failed") => {
    const all = [...(await replicas("web-staging")), ...(await replicas("web-prod"))].filter((r) => r.node === node.signer.address);
    await node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      containers: all.map((r) => ({ replica: r.id, status: pick(r) ? status : "running" })),
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
