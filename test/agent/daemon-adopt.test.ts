// A real `enc-agent run` process is stopped (SIGTERM) and killed (SIGKILL) while its container
// runs: the container keeps running, the next agent adopts it, its receipt chain and its log
// offsets continue without a gap, fork or duplicate, and removal still stops it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { chains, runAgentOnce, sealAndVerify, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "../e2e/agent-harness.ts";
import { cleanup, runcIds, tempDir } from "./helpers.ts";

let work: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;

const RUN = () => ["run", "--data-dir", dataDir, "--heartbeat-s", "1", "--usage-s", "1", "--stop-grace-s", "1"];
const replica = async () =>
  (await cluster.api.get<{ replicas: { status: string; container: string; restarts: number }[] }>(`/v1/clusters/${cluster.name}/workloads/ticker`)).replicas[0];
const runcStatus = (id: string) => JSON.parse(execFileSync("runc", ["--root", path.join(dataDir, "runc"), "state", id], { encoding: "utf8" })).status as string;
const status = async () => JSON.parse((await runAgentOnce(["status", "--data-dir", dataDir, "--json"])).output) as { pending_receipts: number; agent_pid: number | null };

beforeAll(async () => {
  work = tempDir("daemon-adopt");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "img"));
  cluster = await startCluster("adopt");
  const joined = await runAgentOnce(["join", "--url", cluster.url, "--cluster", cluster.name, "--token", await cluster.token(), "--data-dir", dataDir]);
  expect(joined.code, joined.output).toBe(0);
});

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("agent restarts", () => {
  it("leaves containers running on SIGTERM and SIGKILL and adopts them on restart", async () => {
    agent = spawnAgent(RUN());
    const script = "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done";
    await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, { name: "ticker", image: image.ref, command: ["sh", "-c", script], restart: "always" });
    const first = await waitFor("ticker to run", async () => {
      const r = await replica();
      return r?.status === "running" && r;
    }, 60_000); // the first run pulls and shifts the image: slow on a loaded machine
    const id = first.container;

    // SIGTERM: a clean stop that leaves the workload alone.
    expect(await agent.stop()).toBe(0);
    expect(agent.output()).toMatch(/agent stopped; containers keep running/);
    expect(runcStatus(id)).toBe("running");

    agent = spawnAgent(RUN());
    await waitFor("adoption after SIGTERM", () => agent!.output().includes(`adopted container replica=ticker-1 container=${id}`));
    await waitFor("a usage receipt after adoption", () => fs.readFileSync(path.join(dataDir, "spool", "index.jsonl"), "utf8").includes('"op":"usage"'));

    // SIGKILL: no chance to flush anything.
    await agent.kill();
    expect(runcStatus(id)).toBe("running");
    const stdoutLines = () => fs.readFileSync(path.join(dataDir, "containers", id, "stdout"), "utf8").split("\n").length;
    const ticksBefore = stdoutLines();
    await waitFor("the container to go on writing while no agent runs", () => stdoutLines() > ticksBefore + 2, 10_000, 50);
    agent = spawnAgent(RUN());
    await waitFor("adoption after SIGKILL", () => agent!.output().includes(`adopted container replica=ticker-1 container=${id}`));
    expect(fs.readFileSync(path.join(dataDir, "containers", id, "stdout"), "utf8").split("\n").length).toBeGreaterThan(ticksBefore);
    expect(await replica()).toMatchObject({ status: "running", container: id, restarts: 0 });

    // The output reached the control plane in order, once, across both restarts.
    const ticks = await waitFor("logs after the restart", async () => {
      const logs = (await cluster.api.get<{ logs: { stream: string; text: string }[] }>(`/v1/clusters/${cluster.name}/workloads/ticker/logs`)).logs;
      const lines = logs.find((l) => l.stream === "stdout")?.text.split("\n").filter(Boolean) ?? [];
      return lines.length > ticksBefore + 3 && lines;
    });
    expect(ticks).toEqual(ticks.map((_, i) => `tick ${i}`));

    await cluster.api.delete(`/v1/clusters/${cluster.name}/workloads/ticker`);
    await waitFor("the container to be gone", () => !runcIds(dataDir).includes(id), 15_000);
    await waitFor("the spool to drain", async () => (await status()).pending_receipts === 0, 15_000);
    expect(await agent.stop()).toBe(0);

    const { receipts, report } = await sealAndVerify(cluster, "ticker");
    expect(report.problems).toEqual([]);
    const chain = chains(receipts).get(id)!;
    const ops = chain.map((r) => r.op);
    expect(ops.slice(0, 3)).toEqual(["pull", "create", "start"]);
    expect(ops.filter((o) => o === "start")).toHaveLength(1);
    expect(ops.filter((o) => o === "usage").length).toBeGreaterThanOrEqual(2);
    expect(ops.slice(-2)).toEqual(ops.includes("kill") ? ["kill", "exit"] : ["stop", "exit"]);
    expect(chain.at(-1)).toMatchObject({ labels: { reason: "killed", stopped_for: "removed" } });
    expect(fs.existsSync(path.join(dataDir, "spool", "rejected.jsonl"))).toBe(false);
    // The summed chain is the container's bill: its CPU time is all there.
    expect(chain.reduce((n, r) => n + r.resource.cpu_ms, 0)).toBeGreaterThan(0);
  });
});
