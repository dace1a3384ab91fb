// The control plane becomes unreachable (nothing listens at the agent's URL) while a container
// runs and exits, and the agent is SIGKILLed and restarted during the outage. Once the URL
// answers again every receipt reaches the notary exactly once, chained, and the ledger verifies.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { chains, encCli, notaryStats, runAgentOnce, sealAndVerify, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";
import { startProxy, type Proxy } from "./tcp-proxy.ts";

let work: string;
let dataDir: string;
let cluster: TestCluster;
let proxy: Proxy;
let agent: AgentProcess | undefined;

const RUN = () => ["run", "--data-dir", dataDir, "--heartbeat-s", "1", "--usage-s", "1"];
const indexed = (app: string) =>
  fs.readFileSync(path.join(dataDir, "spool", "index.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { h: string; a: string; op: string }).filter((l) => l.a === app);
const pending = async () => (JSON.parse((await runAgentOnce(["status", "--data-dir", dataDir, "--json"])).output) as { pending_receipts: number }).pending_receipts;

beforeAll(async () => {
  work = tempDir("e2e-outage");
  dataDir = path.join(work, "agent");
  // A long heartbeat TTL: the outage must not make the control plane move the replica away.
  cluster = await startCluster("outage", { heartbeat_ttl_s: 120 });
  proxy = await startProxy(cluster.url);
  const joined = await runAgentOnce(["join", "--url", proxy.url, "--cluster", "outage", "--token", await cluster.token(), "--data-dir", dataDir]);
  expect(joined.code, joined.output).toBe(0);
});

afterAll(async () => {
  await agent?.kill();
  await proxy?.close();
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("an unreachable control plane", () => {
  it("loses no receipt and duplicates none across an outage and an agent crash", async () => {
    const image = buildBusyboxImage(path.join(work, "img"));
    agent = spawnAgent(RUN());
    // Long enough that a heartbeat sees it running on a loaded machine before the outage starts.
    const script = "for i in 1 2 3 4 5 6 7 8; do echo line $i; sleep 0.6; done";
    await cluster.api.post("/v1/clusters/outage/workloads", { name: "batch", image: image.ref, command: ["sh", "-c", script] });
    await waitFor("batch to run", async () => (await cluster.api.get<{ replicas: { status: string }[] }>("/v1/clusters/outage/workloads/batch")).replicas[0]?.status === "running");

    await proxy.down();
    await waitFor("the exit receipt, spooled during the outage", () => indexed("batch").some((l) => l.op === "exit"), 15_000);
    await waitFor("the agent to notice", () => /receipts not delivered; kept in the spool/.test(agent!.output()), 10_000);
    await agent.kill(); // SIGKILL with undelivered receipts in the spool
    expect(await pending()).toBeGreaterThan(0);

    agent = spawnAgent(RUN()); // still no control plane
    await waitFor("the restarted agent to run", () => agent!.output().includes("agent running"));
    // It tried to deliver into the outage, failed, and kept what it had.
    await waitFor("the restarted agent's failed delivery", () => /receipts not delivered; kept in the spool/.test(agent!.output()), 10_000);
    expect(await pending()).toBeGreaterThan(0);

    await proxy.up();
    await waitFor("the spool to drain", async () => (await pending()) === 0, 20_000);
    const signed = indexed("batch");
    expect((await notaryStats(cluster, "batch")).pending_receipts).toBe(signed.length); // each exactly once
    await waitFor("the replica's exit to be reported", async () => (await cluster.api.get<{ replicas: { status: string; exit_code?: number }[] }>("/v1/clusters/outage/workloads/batch")).replicas[0]?.status === "exited");

    const { receipts, report } = await sealAndVerify(cluster, "batch");
    expect(report.problems).toEqual([]);
    expect(receipts.map((r) => r.hash).sort()).toEqual(signed.map((l) => l.h).sort());
    const [chain] = [...chains(receipts).values()];
    expect(chain!.map((r) => r.op)).toEqual(["pull", "create", "start", ...chain!.slice(3, -1).map(() => "usage"), "exit"]);
    expect(chain!.at(-1)).toMatchObject({ exit_code: 0 });
    expect(fs.existsSync(path.join(dataDir, "spool", "rejected.jsonl"))).toBe(false);
    const cli = await encCli(cluster, path.join(work, "home"), ["ledger", "verify", "batch"]);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);

    const logs = await waitFor("all output in the logs route", async () => {
      const l = (await cluster.api.get<{ logs: { stream: string; text: string }[] }>("/v1/clusters/outage/workloads/batch/logs")).logs.find((x) => x.stream === "stdout");
      return l?.text.split("\n").filter(Boolean).length === 8 && l;
    });
    expect(logs.text).toBe([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `line ${i}\n`).join(""));
    expect(await agent.stop()).toBe(0);
  });
});
