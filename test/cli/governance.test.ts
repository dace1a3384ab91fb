// `enc policy …` and `enc cluster create|set-security-level --security-level` as users run them,
// against the real control plane (wrangler dev): a deny policy blocks `enc deploy` with the
// problem naming it, a warn policy's warning is printed, `enc policy test` changes nothing, and
// the decisions verify with `enc audit --verify`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv, json } from "./run-enc.ts";

let cp: Awaited<ReturnType<typeof sharedControlPlane>>;
let home: string;
let owner: Record<string, string>;
const CLUSTER = `gov-${process.pid}`;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-gov-"));
  cp = await sharedControlPlane();
  owner = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "owner", "wallet.json") });
  expect((await enc(["wallet", "new"], owner)).code).toBe(0);
});
afterAll(async () => {
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("enc policy", () => {
  it("add (a bad expression names expr), list, show, test, a deny blocking enc deploy, a warn printed, rm; audit --verify", async () => {
    expect((await enc(["cluster", "create", CLUSTER], owner)).code).toBe(0);
    const bad = await enc(["policy", "add", "p", "--expr", "object.image.endsWith(", "--action", "deny", "--message", "m", "--cluster", CLUSTER], owner);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unprocessable Content \(422\): expr: /);
    expect(bad.stderr).toContain("field: expr");
    const noAction = await enc(["policy", "add", "p", "--expr", "true", "--action", "block", "--message", "m", "--cluster", CLUSTER], owner);
    expect(noAction.code).not.toBe(0);
    expect(noAction.stderr).toContain("--action");

    const add = await enc(["policy", "add", "no-latest", "--expr", "object.image.endsWith(':latest')", "--action", "deny", "--message", "pin a tag other than latest", "--cluster", CLUSTER], owner);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Added policy no-latest/);
    expect(add.stdout).toMatch(/Hash\s+blake3:[0-9a-f]{64}/);
    const warn = await enc(["policy", "add", "many", "--expr", "object.replicas > 2", "--action", "warn", "--message", "more than 2 replicas", "--match", "deploy,scale", "--cluster", CLUSTER], owner);
    expect(warn.code, warn.stderr).toBe(0);

    const list = await enc(["policy", "list", "--cluster", CLUSTER], owner);
    expect(list.stdout).toMatch(/NAME\s+ACTION\s+MATCH\s+EXPR/);
    expect(list.stdout).toMatch(/many\s+warn\s+deploy,scale/);
    expect(list.stdout).toMatch(/no-latest\s+deny\s+deploy,update/);
    const show = json(await enc(["policy", "show", "no-latest", "--cluster", CLUSTER, "--json"], owner));
    expect(show.policy).toMatchObject({ name: "no-latest", action: "deny", match: ["deploy", "update"] });

    // test: a bare document is the object; nothing is recorded
    const doc = path.join(home, "web.yaml");
    writeFileSync(doc, "name: web\nimage: oci:/x:latest\n");
    const before = json(await enc(["audit", "--cluster", CLUSTER, "--json"], owner)).entries.length;
    const t = await enc(["policy", "test", "no-latest", "-f", doc, "--cluster", CLUSTER], owner);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/Result\s+deny/);
    expect(t.stdout).toMatch(/Message\s+pin a tag other than latest/);
    writeFileSync(doc, JSON.stringify({ object: { name: "web", image: "oci:/x:v1" } }));
    expect((await enc(["policy", "test", "no-latest", "-f", doc, "--cluster", CLUSTER], owner)).stdout).toMatch(/Result\s+pass/);
    expect(json(await enc(["audit", "--cluster", CLUSTER, "--json"], owner)).entries.length).toBe(before);

    const denied = await enc(["deploy", "web", "--image", "oci:/x:latest", "--cluster", CLUSTER], owner);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("Forbidden (403): policy no-latest denies this deploy: pin a tag other than latest");
    expect(denied.stderr).toContain("field: policy");
    const ok = await enc(["deploy", "web", "--image", "oci:/x:v1", "--replicas", "3", "--cluster", CLUSTER], owner);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("Warning: policy many: more than 2 replicas");
    const scaled = await enc(["scale", "web", "4", "--cluster", CLUSTER], owner);
    expect(scaled.stderr).toContain("Warning: policy many: more than 2 replicas");

    const rm = await enc(["policy", "rm", "no-latest", "--cluster", CLUSTER], owner);
    expect(rm.stdout).toMatch(/Removed policy no-latest \(blake3:/);
    expect((await enc(["policy", "show", "no-latest", "--cluster", CLUSTER], owner)).code).toBe(1);

    const verify = await enc(["audit", "--cluster", CLUSTER, "--verify", "--json"], owner);
    expect(verify.code, verify.stderr).toBe(0);
    const audit = json(await enc(["audit", "--cluster", CLUSTER, "--json"], owner));
    const decisions = audit.entries.filter((e: { event: string }) => e.event === "PolicyDecision").map((e: { details: { policy: string; result: string } }) => `${e.details.policy}:${e.details.result}`);
    expect(decisions).toEqual(["many:pass", "no-latest:deny", "many:warn", "no-latest:pass", "many:warn"]);
  });
});

describe("enc cluster --security-level", () => {
  it("create takes the levels and the seed's aliases; set-security-level raises, never lowers", async () => {
    const cfg = path.join(home, "witnessed.json");
    writeFileSync(cfg, JSON.stringify({ witnesses: [{ url: "https://witness.example.com", vkey: "witness.example.com+e85f5128+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH" }] }));
    const high = await enc(["cluster", "create", `${CLUSTER}-h`, "--security-level", "high", "--compliance", "SOC2,hipaa", "--config", cfg, "--json"], owner);
    expect(high.code, high.stderr).toBe(0);
    expect(json(high).cluster.config).toMatchObject({ security_level: "enterprise", compliance: ["SOC2", "HIPAA"] });
    const noWitness = await enc(["cluster", "create", `${CLUSTER}-m`, "--security-level", "maximum"], owner);
    expect(noWitness.code).toBe(1);
    expect(noWitness.stderr).toContain("security level military_grade (rule min-one-witness)");
    const bad = await enc(["cluster", "create", `${CLUSTER}-x`, "--security-level", "ultra"], owner);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--security-level must be one of standard, enterprise, military-grade");

    const lower = await enc(["cluster", "set-security-level", "standard", `${CLUSTER}-h`], owner);
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain("Conflict (409): security level enterprise (rule level-only-rises)");
    const raise = await enc(["cluster", "set-security-level", "military-grade", `${CLUSTER}-h`], owner);
    expect(raise.code, raise.stderr).toBe(0);
    expect(raise.stdout).toContain("is at security level military_grade");
    expect(raise.stdout).toMatch(/Security\s+military_grade; quantum-safe; evidence for SOC2, HIPAA/);
  });
});

describe("enc pipeline create", () => {
  it("a stage in another cluster (NAME=CLUSTER:WL), --production, the error-rate gate; refused at enterprise with fewer than two approvers", async () => {
    const [hc, prod] = [`${CLUSTER}-pl`, `${CLUSTER}-pl-prod`];
    const witnessed = path.join(home, "pl-witnessed.json");
    writeFileSync(witnessed, JSON.stringify({ witnesses: [{ url: "https://witness.example.com", vkey: "witness.example.com+e85f5128+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH" }] }));
    expect((await enc(["cluster", "create", hc], owner)).code).toBe(0);
    expect((await enc(["cluster", "create", prod, "--security-level", "enterprise", "--config", witnessed], owner)).code).toBe(0);
    const args = ["pipeline", "create", "web", "--stage", "staging=web-staging", "--stage", `live=${prod}:web-prod`, "--production", "live", "--max-error-rate", "2.5", "--min-requests", "50", "--cluster", hc];
    const refused = await enc(args, owner);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("security level enterprise (rule dual-control-production)");
    const made = await enc([...args, "--approvals", "2"], owner);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`live (production) [${prod}:web-prod]`);
    expect(made.stdout).toContain("gateway 5xx at most 2.5% (after 50 requests)");
    const { pipelines } = json<{ pipelines: { stages: unknown[]; gates: Record<string, unknown> }[] }>(await enc(["pipeline", "list", "--json", "--cluster", hc], owner));
    expect(pipelines[0].stages).toEqual([{ name: "staging", workloads: ["web-staging"] }, { name: "live", workloads: ["web-prod"], cluster: prod, production: true }]);
    expect(pipelines[0].gates).toMatchObject({ max_error_rate: 2.5, min_requests: 50, approvals: { count: 2 } });
    const bad = await enc(["pipeline", "create", "x", "--stage", "a=w1", "--stage", "b=w2", "--max-error-rate", "150", "--cluster", hc], owner);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--max-error-rate 150");
  });

  it("enc receipts tiers on a stage's workload in another cluster reads the pipeline receipts from the home cluster's audit log, verified", async () => {
    const [hc, pc] = [`${CLUSTER}-th`, `${CLUSTER}-tp`];
    expect((await enc(["cluster", "create", hc], owner)).code).toBe(0);
    expect((await enc(["cluster", "create", pc], owner)).code).toBe(0);
    expect((await enc(["deploy", "web-staging", "--image", "oci:/srv/web:v2", "--cluster", hc, "--", "sleep", "60"], owner)).code).toBe(0);
    expect((await enc(["deploy", "web-prod", "--image", "oci:/srv/web:v1", "--cluster", pc, "--", "sleep", "60"], owner)).code).toBe(0);
    // The source stage must be healthy: a node (this test's own key) runs web-staging's replica.
    const node = await signerFromSeed(generateSeed());
    const nodeApi = new ApiClient({ url: cp.url, signer: node });
    const token = json<{ token: string }>(await enc(["token", "create", "--json", "--cluster", hc], owner)).token;
    await nodeApi.post(`/v1/clusters/${hc}/nodes`, { token, endpoint: "http://10.0.0.9:7000", capabilities: { cpu_cores: 2, memory_gb: 2 } });
    const nodeBase = `/v1/clusters/${hc}/nodes/${node.address}`;
    const { replicas } = await nodeApi.get<{ replicas: { id: string }[] }>(`${nodeBase}/desired?since=0&wait=0`);
    expect(replicas).toHaveLength(1);
    await nodeApi.post(`${nodeBase}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: [{ replica: replicas[0].id, status: "running", endpoint: "http://10.0.0.9:8080" }] });
    const made = await enc(["pipeline", "create", "rel", "--stage", "staging=web-staging", "--stage", `live=${pc}:web-prod`, "--approvals", "0", "--cluster", hc], owner);
    expect(made.code, made.stderr).toBe(0);
    const promoted = await enc(["pipeline", "promote", "rel", "--json", "--cluster", hc], owner);
    expect(promoted.code, promoted.stdout).toBe(0);
    const id = json<{ promotion: { id: string } }>(promoted).promotion.id;
    const tiers = await enc(["receipts", "tiers", "web-prod", "--json", "--cluster", pc], owner);
    expect(tiers.code, tiers.stderr + tiers.stdout).toBe(0);
    const t = json<{ tiers: { pipeline: { verified: boolean; receipts: { cluster?: string; event: string; promotion: string }[]; clusters: { cluster: string; verified: boolean }[] } } }>(tiers).tiers.pipeline;
    expect(t.clusters).toEqual([{ cluster: hc, verified: true, receipts: expect.any(Number) }]);
    expect(t.verified).toBe(true);
    expect(t.receipts.find((r) => r.event === "PipelinePromotionRequested")).toMatchObject({ cluster: hc, promotion: id });
    const human = await enc(["receipts", "tiers", "web-prod", "--cluster", pc], owner);
    expect(human.stdout).toMatch(new RegExp(`pipeline .*verified.*from cluster ${hc}'s audit log, verified`));
  });
});
