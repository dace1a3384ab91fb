// A two-stage TrafficLight pipeline with two real users, through the real Worker (wrangler dev),
// the enc CLI and a real agent running the stages' containers under runc: the author's own
// approval is refused, a second admin's promotes, and a promotion whose containers fail in the
// target stage turns the health gate red and is rolled back.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { toHex } from "../../protocol/bytes.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { encCli, sealAndVerify, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

let work: string;
let ownerHome: string;
let approverHome: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;
let approver: Signer;

type Promo = { id: string; state: string; gates: { gate: string; state: string; detail: string }[] };
const asOwner = (args: string[]) => encCli(cluster, ownerHome, args);
const asApprover = (args: string[]) => encCli({ ...cluster, owner: approver, ownerSeed: approverSeed }, approverHome, args);
let approverSeed: string;

const spec = (name: string, mode: string, script: string) => ({ name, image: image.ref, env: { MODE: mode }, command: ["sh", "-c", script], resources: { cpu_millis: 100, memory_mb: 32 } });
const RATES = { currency: "EUR", cpu_ms: 0.000002, memory_mb_s: 0.0000005, storage_gb_day: 0.01, egress_mb: 0.0001 };
const SERVE_V1 = "echo v1; exec sleep 3600";
const SERVE_V2 = "echo v2; exec sleep 3600";
/** Fine in staging, exits in production: the failure a pipeline exists to stop. */
const BROKEN_IN_PROD = 'test "$MODE" != prod || exit 3; exec sleep 3600';

async function running(name: string, version: number) {
  return waitFor(`${name} v${version} running`, async () => {
    const w = await cluster.api.get<{ workload: { version: number }; replicas: { spec_version: number; status: string }[] }>(`/v1/clusters/${cluster.name}/workloads/${name}`);
    return w.workload.version === version && w.replicas.some((r) => r.spec_version === version && r.status === "running");
  }, 60_000);
}

async function promotion(id: string, until: (p: Promo) => boolean): Promise<Promo> {
  return waitFor(`promotion ${id}`, async () => {
    const r = await asOwner(["pipeline", "status", "web", "--json"]);
    const p = (JSON.parse(r.stdout) as { pipeline: { promotions: Promo[] } }).pipeline.promotions.find((x) => x.id === id)!;
    return until(p) && p;
  }, 90_000, 500);
}

beforeAll(async () => {
  work = tempDir("e2e-pipelines");
  ownerHome = path.join(work, "owner");
  approverHome = path.join(work, "approver");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster("pipe-e2e", { rates: RATES });
  const seed = generateSeed();
  approver = await signerFromSeed(seed);
  approverSeed = toHex(seed);
  const joined = await runAgentOnce(["join", "--url", cluster.url, "--cluster", cluster.name, "--token", await cluster.token(), "--data-dir", path.join(work, "agent")]);
  expect(joined.code, joined.output).toBe(0);
  agent = spawnAgent(["run", "--data-dir", path.join(work, "agent"), "--heartbeat-s", "1"]);
  await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, spec("web-staging", "staging", SERVE_V2));
  await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, spec("web-prod", "prod", SERVE_V1));
  await Promise.all([running("web-staging", 1), running("web-prod", 1)]);
}, 180_000);

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  // The agent's data dir first: its runc root lists the containers still running (the workloads
  // stay deployed at the end), which would otherwise outlive the test.
  if (work && fs.existsSync(work)) cleanup(path.join(work, "agent"), work);
});

describe("pipelines end to end (two wallets, real agent)", () => {
  it("dual control with two real users, then a red health gate rolls production back", async () => {
    expect((await asOwner(["roles", "grant", approver.address, "admin"])).code).toBe(0);
    const created = await asOwner(["pipeline", "create", "web", "--stage", "staging=web-staging", "--stage", "production=web-prod", "--healthy-for", "2", "--verify-timeout", "60"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("staging [web-staging] → production [web-prod]");

    const promoted = await asOwner(["pipeline", "promote", "web", "--json"]);
    expect(promoted.code, promoted.stderr).toBe(0);
    const first = (JSON.parse(promoted.stdout) as { promotion: Promo }).promotion;
    expect(first.state).toBe("awaiting_approval");

    // The author approving their own promotion: refused, nothing changes.
    const self = await asOwner(["pipeline", "approve", "web", first.id]);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/dual control/);

    const ok = await asApprover(["pipeline", "approve", "web", first.id, "--comment", "ship it"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("it is now verifying");
    const green = await promotion(first.id, (p) => p.state !== "verifying");
    expect(green.state).toBe("promoted");
    const prod = await cluster.api.get<{ workload: { version: number; spec: { command: string[]; env: Record<string, string> } } }>(`/v1/clusters/${cluster.name}/workloads/web-prod`);
    expect(prod.workload.spec.command).toEqual(["sh", "-c", SERVE_V2]);
    expect(prod.workload.spec.env).toEqual({ MODE: "prod" }); // the stage keeps its own configuration

    // Staging gets a build that fails only in production.
    await cluster.api.put(`/v1/clusters/${cluster.name}/workloads/web-staging`, spec("web-staging", "staging", BROKEN_IN_PROD));
    await running("web-staging", 2);
    const second = (JSON.parse((await asOwner(["pipeline", "promote", "web", "--json"])).stdout) as { promotion: Promo }).promotion;
    expect((await asApprover(["pipeline", "approve", "web", second.id])).code).toBe(0);
    const red = await promotion(second.id, (p) => p.state !== "verifying");
    expect(red.state).toBe("rolled_back");
    expect(red.gates.find((g) => g.gate === "target_healthy")).toMatchObject({ state: "red" });
    await running("web-prod", 4); // version 3 was the broken one; 4 restores version 2's containers
    const back = await cluster.api.get<{ workload: { spec: { command: string[] } } }>(`/v1/clusters/${cluster.name}/workloads/web-prod`);
    expect(back.workload.spec.command).toEqual(["sh", "-c", SERVE_V2]);

    const status = await asOwner(["pipeline", "status", "web"]);
    expect(status.stdout).toMatch(/rolled_back/);
    expect(status.stdout).toMatch(/target_healthy\s+.*exited|failed|back-off/);
    const audit = await asOwner(["audit", "--json", "--limit", "1000"]);
    const entries = (JSON.parse(audit.stdout) as { entries: { event: string; actor: string }[] }).entries;
    expect(entries.filter((e) => e.event === "PipelineApproval").map((e) => e.actor)).toEqual([approver.address, approver.address]);
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(["PipelinePromoted", "PipelineRolledBack"]));
  }, 240_000);

  it("a compliance report of this history verifies with enc audit report verify; a tampered one fails", async () => {
    const file = path.join(work, "soc2.json");
    const wrote = await asApprover(["audit", "report", "--framework", "SOC2", "--format", "json", "-f", file]);
    expect(wrote.code, wrote.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(file, "utf8")) as { controls: { id: string; evidence: { what: string; count: number; examples: { seq: number; hash: string }[] }[]; gaps: string[] }[] };
    const cc81 = report.controls.find((c) => c.id === "CC8.1")!;
    expect(cc81.evidence.find((e) => /pipeline approvals/.test(e.what))!.count).toBe(2);
    // The direct deploys and the staging update were not promoted through the pipeline.
    expect(cc81.gaps.join()).toMatch(/3 workload change\(s\) made without a pipeline promotion/);

    const ok = await asApprover(["audit", "report", "verify", file]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/SOC2 report of pipe-e2e verified: signed by control plane/);

    const md = await asOwner(["audit", "report", "--framework", "HIPAA"]);
    const html = await asOwner(["audit", "report", "--framework", "PCI-DSS", "--format", "html"]);
    for (const r of [md, html]) {
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/compliant|certified/i);
    }
    expect(md.stdout).toContain("## 164.312(b)");
    const htmlFile = path.join(work, "pci.html");
    fs.writeFileSync(htmlFile, html.stdout);
    expect((await asOwner(["audit", "report", "verify", htmlFile])).code).toBe(0);

    // Tampered: a count raised; a cited entry's hash replaced by another's.
    const raised = structuredClone(report);
    raised.controls[0].evidence[0].count += 1;
    fs.writeFileSync(path.join(work, "raised.json"), JSON.stringify(raised));
    const bad1 = await asOwner(["audit", "report", "verify", path.join(work, "raised.json")]);
    expect(bad1.code).toBe(1);
    expect(bad1.stdout).toMatch(/FAILED verification[\s\S]*signature/);
    const swapped = structuredClone(report);
    const ex = swapped.controls.flatMap((c) => c.evidence).find((e) => e.examples.length >= 2)!;
    ex.examples[0].hash = ex.examples[1].hash;
    fs.writeFileSync(path.join(work, "swapped.json"), JSON.stringify(swapped));
    const bad2 = await asOwner(["audit", "report", "verify", path.join(work, "swapped.json"), "--json"]);
    expect(bad2.code).toBe(1);
    const problems = (JSON.parse(bad2.stdout) as { problems: string[] }).problems;
    expect(problems.some((p) => /signature/.test(p))).toBe(true);
    expect(problems.some((p) => /differs from the live log/.test(p))).toBe(true);
  }, 60_000);

  it("enc receipts tiers: action, agreement, pipeline and economic receipts of web-prod, each verified with public keys", async () => {
    const sealed = await waitFor("web-prod receipts sealed", async () => {
      const r = await sealAndVerify(cluster, "web-prod");
      return r.receipts.length > 0 && r;
    }, 30_000, 500);
    expect(sealed.report.problems).toEqual([]);
    const r = await asApprover(["receipts", "tiers", "web-prod", "--json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    type Tiers = { tiers: { action: { verified: boolean; receipts: number; audit: { event: string }[] }; agreement: { verified: boolean; decisions: unknown[] }; pipeline: { verified: boolean; receipts: { event: string; gate?: string; state?: string }[] }; economic: { verified: boolean; chains: { resource: Record<string, number>; cost: number; currency: string }[] } } };
    const { tiers } = JSON.parse(r.stdout) as Tiers;
    expect(tiers.action).toMatchObject({ verified: true });
    expect(tiers.action.receipts).toBeGreaterThanOrEqual(sealed.receipts.length);
    expect(tiers.action.audit.map((e) => e.event)).toEqual(expect.arrayContaining(["WorkloadDeployed", "WorkloadUpdated", "RolloutUndone"]));
    expect(tiers.agreement).toEqual({ verified: true, decisions: [] });
    expect(tiers.pipeline.verified).toBe(true);
    expect(tiers.pipeline.receipts.filter((e) => e.event === "PipelineApproval")).toHaveLength(2);
    expect(tiers.pipeline.receipts).toEqual(expect.arrayContaining([expect.objectContaining({ event: "PipelineGate", gate: "target_healthy", state: "red" })]));
    expect(tiers.economic.verified).toBe(true);
    expect(tiers.economic.chains.length).toBeGreaterThan(0);
    for (const c of tiers.economic.chains) {
      const want = c.resource.cpu_ms * RATES.cpu_ms + c.resource.memory_mb_s * RATES.memory_mb_s + c.resource.storage_gb_day * RATES.storage_gb_day + c.resource.egress_mb * RATES.egress_mb;
      expect(c.cost).toBeCloseTo(want, 5);
      expect(c.currency).toBe("EUR");
    }
    const text = await asApprover(["receipts", "tiers", "web-prod"]);
    expect(text.stdout).toMatch(/^action\s+✓ verified/m);
    expect(text.stdout).toMatch(/^economic\s+✓ verified: \d+ chain\(s\) priced in EUR/m);
  }, 60_000);
});
