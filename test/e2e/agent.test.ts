// End to end, as a user runs it: the real Worker (wrangler dev), `enc-agent join` and
// `enc-agent run` as processes, a workload deployed through the API, its exit, its output
// through the logs route, its sealed receipts verified (library and `enc ledger verify`), and
// replay verification both from the command line and ordered by the control plane.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { verifyReceipt } from "../../protocol/signed.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { chains, encCli, runAgentOnce, sealAndVerify, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

let work: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;
let nodeAddress: string;

const workload = (name: string) => cluster.api.get<{ replicas: { status: string; exit_code?: number; container: string }[] }>(`/v1/clusters/e2e/workloads/${name}`);
const exited = (name: string) =>
  waitFor(`${name} to exit`, async () => {
    const r = (await workload(name)).replicas[0];
    return (r?.status === "exited" || r?.status === "failed") && r;
  }, 20_000);
const spoolEmpty = () =>
  waitFor("the agent's spool to drain", async () => {
    const s = JSON.parse((await runAgentOnce(["status", "--data-dir", dataDir, "--json"])).output) as { pending_receipts: number };
    return s.pending_receipts === 0;
  }, 15_000);

beforeAll(async () => {
  work = tempDir("e2e-agent");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster("e2e");
});

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("enc-agent end to end", () => {
  it("joins with the printed join line and registers measured capabilities", async () => {
    const token = await cluster.token();
    const r = await runAgentOnce(["join", "--url", cluster.url, "--cluster", "e2e", "--token", token, "--data-dir", dataDir, "--label", "rack=r1", "--zone", "z1"]);
    expect(r.code, r.output).toBe(0);
    nodeAddress = /as node (bpi1[0-9a-z]+)/.exec(r.output)![1]!;
    const again = await runAgentOnce(["join", "--url", cluster.url, "--cluster", "e2e", "--token", token, "--data-dir", dataDir]);
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/already joined cluster e2e.*\[already_joined\]/s);
    const { nodes } = await cluster.api.get<{ nodes: { address: string; capabilities: Record<string, unknown>; labels: Record<string, string>; zone: string }[] }>("/v1/clusters/e2e/nodes");
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ address: nodeAddress, labels: { rack: "r1" }, zone: "z1", capabilities: { supports_determinism_cage: true } });
    expect(nodes[0]!.capabilities.cpu_cores).toBeGreaterThanOrEqual(1);
    agent = spawnAgent(["run", "--data-dir", dataDir, "--heartbeat-s", "1"]);
    await waitFor("the agent to start", () => agent!.output().includes("agent running"));
  });

  it("runs a deployed workload to exit 0; logs, sealed receipts and the ledger verify", async () => {
    await cluster.api.post("/v1/clusters/e2e/workloads", { name: "hello", image: image.ref, command: ["echo", "hello from the cage"] });
    const r = await exited("hello");
    expect(r).toMatchObject({ status: "exited", exit_code: 0 });
    const logs = await waitFor("logs", async () => (await cluster.api.get<{ logs: { stream: string; text: string }[] }>("/v1/clusters/e2e/workloads/hello/logs")).logs.find((l) => l.stream === "stdout"));
    expect(logs.text).toBe("hello from the cage\n");
    await spoolEmpty();
    const { receipts, report } = await sealAndVerify(cluster, "hello");
    expect(report).toMatchObject({ blocks: 1, receipts: 4, problems: [] });
    const chain = chains(receipts).get(r.container)!;
    expect(chain.map((x) => x.op)).toEqual(["pull", "create", "start", "exit"]);
    for (const x of chain) expect(await verifyReceipt(x)).toEqual({ ok: true });
    expect(chain[3]).toMatchObject({ node: nodeAddress, app: "hello", cluster: "e2e", exit_code: 0, image: image.manifestDigest });
    const cli = await encCli(cluster, path.join(work, "home"), ["ledger", "verify", "hello"]);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/verified: 1 block, 4 receipts/);
  });

  it("replays a deterministic run: from the command line and when the control plane orders it", async () => {
    const command = ["sh", "-c", "head -c 32 /dev/urandom | od -An -tx1; echo done"];
    await cluster.api.post("/v1/clusters/e2e/workloads", { name: "det", image: image.ref, command, cage: { determinism: true, seed: "s1" } });
    await exited("det");
    await spoolEmpty();
    const { receipts } = await sealAndVerify(cluster, "det");
    const exit = receipts.find((x) => x.op === "exit") as StepReceipt;
    expect(exit.seed).toMatch(/^blake3:/);

    const cli = await runAgentOnce(["replay", exit.hash, "--data-dir", dataDir, "--json"]);
    expect(cli.code, cli.output).toBe(0);
    const verdict = JSON.parse(cli.output.slice(cli.output.indexOf("{")));
    expect(verdict).toMatchObject({ verdict: "match", replay_of: exit.hash, delivered: true, original: { witness_root: exit.witness_root }, rerun: { witness_root: exit.witness_root } });

    const { replay } = await cluster.api.post<{ replay: { id: string } }>("/v1/clusters/e2e/replays", { receipt: exit.hash });
    const done = await waitFor("the ordered replay", async () => {
      const r = (await cluster.api.get<{ replay: { status: string; verdict: string; replay_receipt: string } }>(`/v1/clusters/e2e/replays/${replay.id}`)).replay;
      return r.status === "done" && r;
    }, 30_000);
    expect(done.verdict).toBe("match");
    await spoolEmpty();
    const sealed = await sealAndVerify(cluster, "det");
    expect(sealed.report.problems).toEqual([]);
    const replays = sealed.receipts.filter((x) => x.op === "replay");
    expect(replays.map((x) => x.hash)).toContain(done.replay_receipt);
    expect(replays.map((x) => x.hash)).toContain(verdict.receipt);
    for (const x of replays) expect(x).toMatchObject({ prev_hash: "blake3:genesis", witness_root: exit.witness_root, labels: { replay_of: exit.hash, verdict: "match" } });
  });

  it("lists sealed receipts and orders a replay from the enc CLI", async () => {
    const home = path.join(work, "home");
    const list = await encCli(cluster, home, ["receipts", "list", "det", "--op", "exit", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const [{ height, receipt: exit }] = (JSON.parse(list.stdout) as { receipts: { height: number; receipt: StepReceipt }[] }).receipts;
    expect(height).toBeGreaterThanOrEqual(1);
    expect(await verifyReceipt(exit)).toEqual({ ok: true }); // byte for byte what the node signed
    expect(exit).toMatchObject({ op: "exit", app: "det", witness_root: expect.stringMatching(/^blake3:/) });
    const human = await encCli(cluster, home, ["receipts", "list", "det"]);
    expect(human.stdout).toContain(exit.hash);
    const r = await encCli(cluster, home, ["replay", exit.hash, "--wait"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Verdict\s+MATCH/);
  });

  it("reports a mismatch when the run was not reproducible", async () => {
    await cluster.api.post("/v1/clusters/e2e/workloads", { name: "noisy", image: image.ref, command: ["sh", "-c", "head -c 16 /dev/urandom | od -An -tx1"] });
    await exited("noisy");
    await spoolEmpty();
    const exit = (await sealAndVerify(cluster, "noisy")).receipts.find((x) => x.op === "exit")!;
    const r = await runAgentOnce(["replay", exit.hash, "--data-dir", dataDir]);
    expect(r.code).toBe(3);
    expect(r.output).toMatch(/MISMATCH: replay of/);
    expect(await agent!.stop()).toBe(0);
  });
});
