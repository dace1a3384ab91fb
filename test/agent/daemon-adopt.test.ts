// A real `enc-agent run` process is stopped (SIGTERM) and killed (SIGKILL) while its container
// runs: the container keeps running, the next agent adopts it, its receipt chain and its log
// offsets continue without a gap, fork or duplicate, and removal still stops it. Its port
// (network "none": forwarded by the agent into the container's namespace) is served again by
// the next agent, and no forwarder outlives the agent that started it.
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
  (await cluster.api.get<{ replicas: { status: string; container: string; restarts: number; endpoint?: string }[] }>(`/v1/clusters/${cluster.name}/workloads/ticker`)).replicas[0];
const runcPid = (id: string) => JSON.parse(execFileSync("runc", ["--root", path.join(dataDir, "runc"), "state", id], { encoding: "utf8" })).pid as number;
/** Port forwarders (node -e running the forwarder's code) inside the network namespace `netns`. */
const forwarders = (netns: string) =>
  fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes('process.on("disconnect"') && fs.readlinkSync(`/proc/${p}/ns/net`) === netns;
    } catch {
      return false;
    }
  });
const answer = (endpoint: string) => fetch(`${endpoint}/`).then((r) => r.text(), () => null);
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
    const script = 'echo served > /tmp/index.html; httpd -p "$PORT" -h /tmp; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done';
    await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, { name: "ticker", image: image.ref, command: ["sh", "-c", script], restart: "always", ports: [{ container_port: 8080 }] });
    const first = await waitFor("ticker to run", async () => {
      const r = await replica();
      return r?.status === "running" && r;
    }, 60_000); // the first run pulls and shifts the image: slow on a loaded machine
    const id = first.container;
    const endpoint = await waitFor("the replica's endpoint", async () => (await replica())?.endpoint, 20_000);
    expect(await waitFor("its port to answer", () => answer(endpoint), 20_000, 100)).toBe("served\n");
    const netns = fs.readlinkSync(`/proc/${runcPid(id)}/ns/net`);
    expect(netns).not.toBe(fs.readlinkSync("/proc/self/ns/net")); // its own namespace, not the host's
    expect(forwarders(netns)).toHaveLength(1);

    // SIGTERM: a clean stop that leaves the workload alone.
    expect(await agent.stop()).toBe(0);
    expect(agent.output()).toMatch(/agent stopped; containers keep running/);
    expect(runcStatus(id)).toBe("running");
    expect(forwarders(netns)).toEqual([]); // closed with the agent; the port waits for the next one

    agent = spawnAgent(RUN());
    await waitFor("adoption after SIGTERM", () => agent!.output().includes(`adopted container replica=ticker-1 container=${id}`));
    expect(await waitFor("the port served again", () => answer(endpoint), 20_000, 100)).toBe("served\n");
    await waitFor("a usage receipt after adoption", () => fs.readFileSync(path.join(dataDir, "spool", "index.jsonl"), "utf8").includes('"op":"usage"'));

    // SIGKILL: no chance to flush anything.
    await agent.kill();
    expect(runcStatus(id)).toBe("running");
    // its forwarder sees the IPC channel close and exits
    await waitFor("the killed agent's forwarder to exit", () => forwarders(netns).length === 0, 10_000, 50);
    const stdoutLines = () => fs.readFileSync(path.join(dataDir, "containers", id, "stdout"), "utf8").split("\n").length;
    const ticksBefore = stdoutLines();
    await waitFor("the container to go on writing while no agent runs", () => stdoutLines() > ticksBefore + 2, 10_000, 50);
    agent = spawnAgent(RUN());
    await waitFor("adoption after SIGKILL", () => agent!.output().includes(`adopted container replica=ticker-1 container=${id}`));
    expect(fs.readFileSync(path.join(dataDir, "containers", id, "stdout"), "utf8").split("\n").length).toBeGreaterThan(ticksBefore);
    expect(await replica()).toMatchObject({ status: "running", container: id, restarts: 0, endpoint });
    expect(await waitFor("the port served after SIGKILL", () => answer(endpoint), 20_000, 100)).toBe("served\n");
    expect(forwarders(netns)).toHaveLength(1);

    // The output reached the control plane in order, once, across both restarts.
    const ticks = await waitFor("logs after the restart", async () => {
      const logs = (await cluster.api.get<{ logs: { stream: string; text: string }[] }>(`/v1/clusters/${cluster.name}/workloads/ticker/logs`)).logs;
      const lines = logs.find((l) => l.stream === "stdout")?.text.split("\n").filter(Boolean) ?? [];
      return lines.length > ticksBefore + 3 && lines;
    });
    expect(ticks).toEqual(ticks.map((_, i) => `tick ${i}`));

    await cluster.api.delete(`/v1/clusters/${cluster.name}/workloads/ticker`);
    await waitFor("the container to be gone", () => !runcIds(dataDir).includes(id), 15_000);
    await waitFor("its forwarder to be gone", () => forwarders(netns).length === 0, 10_000, 50);
    expect(await answer(endpoint)).toBeNull();
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

  it("journals events while the control plane is out of reach and delivers them, once, after a SIGKILL", async () => {
    type Ev = { at: string; kind: string; reason?: string; replica: string; container?: string; seq?: number };
    const journal = path.join(dataDir, "state", "events.jsonl");
    const journaled = (): Ev[] =>
      fs.existsSync(journal) ? fs.readFileSync(journal, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Ev).filter((e) => e.seq !== undefined) : [];
    const delivered = async () =>
      (await cluster.api.get<{ events: { source: string; at: string; kind: string; reason?: string }[] }>(`/v1/clusters/${cluster.name}/events?workload=blip&limit=500`)).events.filter((e) => e.source === "agent");
    const blip = async () => (await cluster.api.get<{ replicas: { status: string; container: string }[] }>(`/v1/clusters/${cluster.name}/workloads/blip`)).replicas[0];

    agent = spawnAgent(RUN());
    await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, { name: "blip", image: image.ref, command: ["sh", "-c", "while true; do sleep 1; done"], restart: "always" });
    const c1 = (await waitFor("blip to run", async () => (await blip())?.status === "running" && blip(), 60_000)).container;
    await waitFor("its start reported", async () => (await delivered()).some((e) => e.kind === "started"));
    expect(await agent.stop()).toBe(0);

    // The control plane out of reach: what happens now is only journaled.
    agent = spawnAgent([...RUN(), "--url", "http://127.0.0.1:9"]);
    await waitFor("adoption", () => agent!.output().includes(`container=${c1}`));
    execFileSync("runc", ["--root", path.join(dataDir, "runc"), "kill", c1, "KILL"]);
    const pending = await waitFor("the exit and the restart journaled", () => {
      const j = journaled();
      return j.some((e) => e.kind === "exited" && e.container === c1) && j.some((e) => e.kind === "started" && e.container !== c1) && j;
    }, 30_000);
    await agent.kill(); // SIGKILL: nothing delivered, nothing flushed
    const before = await delivered();
    expect(before.some((e) => e.kind === "exited")).toBe(false);

    agent = spawnAgent(RUN());
    await waitFor("the journal delivered", () => journaled().length === 0, 30_000);
    const after = await delivered();
    const key = (e: { at: string; kind: string; reason?: string }) => `${e.at} ${e.kind} ${e.reason ?? ""}`;
    // Each journaled event reached the control plane, and none twice.
    expect(after.map(key).filter((k) => pending.map(key).includes(k)).sort()).toEqual(pending.map(key).sort());
    expect(new Set(after.map(key)).size).toBe(after.length);
    expect(after.length).toBe(before.length + pending.length);

    await cluster.api.delete(`/v1/clusters/${cluster.name}/workloads/blip`);
    await waitFor("blip's containers gone", () => !runcIds(dataDir).some((id) => id.startsWith("blip-")), 15_000);
    expect(await agent.stop()).toBe(0);
  });
});
