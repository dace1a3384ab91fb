// A MilitaryGrade cluster end to end with a real agent under runc: a workload outside the
// determinism cage is refused (SecurityViolation in the audit chain), a caged one runs, its exit
// receipt carries its seed and witness root, the ledger verifies, the node's replay MATCHes, and
// the audit chain with its SecurityViolation verifies with `enc audit --verify`.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry, StepReceipt } from "../../protocol/schemas.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { encCli, runAgentOnce, sealAndVerify, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

const NAME = `mil-${process.pid}`;
let work: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  work = tempDir("e2e-mil");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster(NAME, { security_level: "military_grade", witnesses: [{ url: "https://witness.example.com", vkey: "witness.example.com+e85f5128+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH" }] });
}, 240_000);

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("MilitaryGrade with a real agent", () => {
  it("refuses an uncaged workload and runs a caged one whose witnessed run replays to MATCH", { timeout: 240_000 }, async () => {
    const r = await runAgentOnce(["join", "--url", cluster.url, "--cluster", NAME, "--token", await cluster.token(), "--data-dir", dataDir]);
    expect(r.code, r.output).toBe(0);
    agent = spawnAgent(["run", "--data-dir", dataDir, "--heartbeat-s", "1"]);
    await waitFor("the agent to start", () => agent!.output().includes("agent running"), 60_000);
    const { cluster: c } = await cluster.api.get<{ cluster: { config: Record<string, unknown> } }>(`/v1/clusters/${NAME}`);
    expect(c.config).toMatchObject({ security_level: "military_grade", quantum_safe: true });
    const command = ["sh", "-c", "head -c 16 /dev/urandom | od -An -tx1; echo caged"];
    await expect(cluster.api.post(`/v1/clusters/${NAME}/workloads`, { name: "loose", image: image.ref, command })).rejects.toMatchObject({
      status: 403, problem: { field: "cage.determinism", level: "military_grade", rule: "determinism-cage" },
    });
    await cluster.api.post(`/v1/clusters/${NAME}/workloads`, { name: "caged", image: image.ref, command, cage: { determinism: true, seed: "m1" } });
    const replica = await waitFor("caged to exit", async () => {
      const r = (await cluster.api.get<{ replicas: { status: string; exit_code?: number; container: string }[] }>(`/v1/clusters/${NAME}/workloads/caged`)).replicas[0];
      return (r?.status === "exited" || r?.status === "failed") && r;
    }, 30_000);
    expect(replica).toMatchObject({ status: "exited", exit_code: 0 });
    await waitFor("the agent's spool to drain", async () => JSON.parse((await runAgentOnce(["status", "--data-dir", dataDir, "--json"])).output).pending_receipts === 0, 15_000);
    const { receipts, report } = await sealAndVerify(cluster, "caged");
    expect(report.problems).toEqual([]);
    const exit = receipts.find((x) => x.op === "exit") as StepReceipt;
    expect(exit).toMatchObject({ exit_code: 0, seed: expect.stringMatching(/^blake3:/), witness_root: expect.stringMatching(/^blake3:/) });
    const replay = await runAgentOnce(["replay", exit.hash, "--data-dir", dataDir, "--json"]);
    expect(replay.code, replay.output).toBe(0);
    expect(JSON.parse(replay.output.slice(replay.output.indexOf("{")))).toMatchObject({ verdict: "match", rerun: { witness_root: exit.witness_root } });

    const home = path.join(work, "home");
    const audit = await encCli(cluster, home, ["audit", "--verify"]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const { entries } = await cluster.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${NAME}/audit?limit=1000`);
    expect(entries.filter((e) => e.event === "SecurityViolation").map((e) => [e.subject, e.details.rule])).toEqual([["loose", "determinism-cage"]]);
  });
});
