// The daemon in-process against the real control plane (wrangler dev) and real runc (root):
// a container that runs and exits 0 (receipts verify and chain, output reaches the logs route),
// restart policies with back-off, host ports and an HTTP health check, `enc rm --wait`.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIso } from "../../protocol/time.ts";
import { verifyReceipt } from "../../protocol/signed.ts";
import { Agent } from "../../node-agent/daemon/agent.ts";
import { joinCluster } from "../../node-agent/daemon/join-cluster.ts";
import { silentLogger } from "../../node-agent/daemon/logger.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { chains, encCli, sealAndVerify, startCluster, waitFor, type TestCluster } from "../e2e/agent-harness.ts";
import { cleanup, runcIds, tempDir } from "./helpers.ts";

let work: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: Agent;

interface ReplicaView {
  id: string;
  status: string;
  container: string;
  exit_code?: number;
  restarts: number;
  endpoint?: string;
  healthy?: boolean;
  reason?: string;
}

const replicas = async (name: string) =>
  (await cluster.api.get<{ replicas: ReplicaView[] }>(`/v1/clusters/${cluster.name}/workloads/${name}`)).replicas;
const deploy = (spec: Record<string, unknown>) => cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, { image: image.ref, ...spec });
const remove = (name: string) => cluster.api.delete(`/v1/clusters/${cluster.name}/workloads/${name}`);
const drained = () => waitFor("the spool to drain", () => agent.journal.pending === 0, 15_000);

beforeAll(async () => {
  work = tempDir("daemon-runtime");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "img"));
  cluster = await startCluster("rt", { allow_host_network: true }); // the owner deploys a host-network replica below
  await joinCluster({ url: cluster.url, cluster: cluster.name, token: await cluster.token(), dataDir, log: silentLogger });
  agent = new Agent({ dataDir, heartbeatS: 1, backoffBaseS: 0.25, stopGraceS: 1, receiptLingerMs: 100, log: silentLogger });
  await agent.start();
});

afterAll(async () => {
  await agent?.stop(1000);
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("enc-agent daemon with a real control plane", () => {
  it("runs a container to exit 0: chained, signed receipts, output in the logs route, started promptly", async () => {
    const deployedAt = Date.now();
    await deploy({ name: "hello", command: ["sh", "-c", "echo hello world; echo warn >&2"] });
    const [r] = await waitFor("hello to exit", async () => {
      const rs = await replicas("hello");
      return rs[0]?.status === "exited" && rs;
    });
    expect(r).toMatchObject({ status: "exited", exit_code: 0, restarts: 0, container: "hello-1.1" });
    await drained();
    const { receipts, report } = await sealAndVerify(cluster, "hello");
    expect(report.problems).toEqual([]);
    const chain = chains(receipts).get("hello-1.1")!;
    expect(chain.map((x) => x.op)).toEqual(["pull", "create", "start", "exit"]);
    for (const x of chain) {
      expect(await verifyReceipt(x)).toEqual({ ok: true });
      expect(x).toMatchObject({ cluster: "rt", app: "hello", node: agent.signer.address, image: image.manifestDigest });
    }
    const exit = chain[3]!;
    expect(exit.exit_code).toBe(0);
    expect(exit.witness_root).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(exit.labels.reason).toBe("exited");
    expect(exit.resource.cpu_ms).toBeGreaterThanOrEqual(0);
    const startLatency = parseIso(chain[2]!.ts) - deployedAt;
    console.log(`deploy → start receipt: ${startLatency} ms`);
    // Typically 300-600 ms here; a speed figure, so it is printed, not asserted (load varies).
    const logs = await waitFor("logs", async () => {
      const l = (await cluster.api.get<{ logs: { stream: string; text: string }[] }>(`/v1/clusters/rt/workloads/hello/logs`)).logs;
      return l.length === 2 && l;
    });
    expect(Object.fromEntries(logs.map((l) => [l.stream, l.text]))).toEqual({ stdout: "hello world\n", stderr: "warn\n" });
  });

  it("restarts on failure with growing back-off, and stops restarting when the workload goes", async () => {
    await deploy({ name: "flaky", command: ["sh", "-c", "echo attempt; exit 3"], restart: "on-failure" });
    const [r] = await waitFor("four restarts", async () => {
      const rs = await replicas("flaky");
      return (rs[0]?.restarts ?? 0) >= 4 && rs;
    }, 25_000);
    expect(["starting", "running", "failed"]).toContain(r!.status);
    // Each chunk of output carries its container and when the agent read it: `enc logs --previous`
    // shows one container's output (one attempt), with its time.
    type Log = { text: string; times?: { at: string }[] };
    const prev = await waitFor("the previous container's output", async () => {
      const l = (await cluster.api.get<{ logs: Log[] }>(`/v1/clusters/rt/workloads/flaky/logs?previous=true&timestamps=true`)).logs;
      return l.length > 0 && l;
    }, 15_000);
    expect(prev).toEqual([expect.objectContaining({ stream: "stdout", text: "attempt\n" })]);
    expect(Math.abs(Date.now() - Date.parse(prev[0]!.times![0]!.at))).toBeLessThan(60_000);
    await remove("flaky");
    await waitFor("the replica to be retired", () => !agent.runners.has("flaky-1"), 15_000);
    await drained();
    const { receipts, report } = await sealAndVerify(cluster, "flaky");
    expect(report.problems).toEqual([]);
    const all = [...chains(receipts).entries()].sort(([a], [b]) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
    // The newest container may have been running when the workload went: stopped, not failed.
    const last = all.at(-1)![1].map((x) => x.op);
    expect(last.at(-1)).toBe("exit");
    const byContainer = last.includes("stop") ? all.slice(0, -1) : all;
    expect(byContainer.length).toBeGreaterThanOrEqual(4);
    for (const [, chain] of byContainer) {
      expect(chain.map((x) => x.op)).toEqual(["pull", "create", "start", "exit"]);
      expect(chain[3]!.exit_code).toBe(3);
    }
    // The pause between one exit and the next start doubles: 0.25 s, 0.5 s, 1 s …
    const gaps = byContainer.slice(1).map(([, chain], i) => parseIso(chain[2]!.ts) - parseIso(byContainer[i]![1][3]!.ts));
    console.log(`restart gaps (ms): ${gaps.join(", ")}`);
    // The back-off is a floor that doubles: each gap at least 250 ms × 2^i (a loaded machine
    // only makes gaps longer, so upper bounds would test the machine, not the agent).
    for (let i = 0; i < 3; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(250 * 2 ** i - 50);
    expect(runcIds(dataDir).filter((id) => id.startsWith("flaky"))).toEqual([]);
  });

  it("does not restart a failed container under restart: never", async () => {
    await deploy({ name: "once", command: ["sh", "-c", "exit 7"], restart: "never" });
    const [r] = await waitFor("once to fail", async () => {
      const rs = await replicas("once");
      return rs[0]?.status === "failed" && rs;
    });
    expect(r).toMatchObject({ exit_code: 7, restarts: 0 });
    await new Promise((res) => setTimeout(res, 1500));
    expect((await replicas("once"))[0]).toMatchObject({ status: "failed", restarts: 0 });
  });

  it("gives a network-host replica a port, reports its endpoint and its HTTP health", async () => {
    const script = "mkdir -p /tmp/www && echo ok > /tmp/www/health && exec httpd -f -p $PORT -h /tmp/www";
    await deploy({
      name: "web", command: ["sh", "-c", script], restart: "always",
      cage: { network: "host" }, ports: [{ container_port: 8080 }],
      health_check: { http_path: "/health", interval_s: 1, threshold: 2 },
    });
    const [r] = await waitFor("web to be healthy", async () => {
      const rs = await replicas("web");
      return rs[0]?.healthy === true && rs;
    }, 20_000);
    expect(r!.status).toBe("running");
    expect(r!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:3\d{4}$/);
    expect(await (await fetch(`${r!.endpoint}/health`)).text()).toBe("ok\n");
    await remove("web");
    await waitFor("web to be stopped", () => !agent.runners.has("web-1"), 15_000);
    await drained();
    const { receipts } = await sealAndVerify(cluster, "web");
    const ops = chains(receipts).get(r!.container)!.map((x) => x.op);
    expect(ops.slice(0, 4)).toEqual(["pull", "create", "start", "stop"]);
    expect(ops.at(-1)).toBe("exit");
    expect(fs.existsSync(path.join(dataDir, "state", "replicas", "web-1.json"))).toBe(false);
  });

  it("runs a command health check inside the container", async () => {
    // /tmp/ready appears only when the test puts it there (runc exec), after the control plane
    // has seen the replica unhealthy: a `sleep 1` in the container raced the first heartbeats on
    // a loaded machine, and the check then never saw the replica before the file existed.
    await deploy({
      name: "probe", command: ["sh", "-c", "exec sleep 60"],
      health_check: { command: ["test", "-f", "/tmp/ready"], interval_s: 1, threshold: 1 },
    });
    const [r] = await waitFor("probe to run and fail its check", async () => {
      const rs = await replicas("probe");
      return rs[0]?.status === "running" && rs[0].healthy === false && rs;
    }, 20_000);
    execFileSync("runc", ["--root", path.join(dataDir, "runc"), "exec", r!.container, "touch", "/tmp/ready"]);
    await waitFor("probe to turn healthy", async () => (await replicas("probe"))[0]?.healthy === true, 20_000);
    await remove("probe");
    await waitFor("probe to be stopped", () => !agent.runners.has("probe-1"), 15_000);
  });

  it("enc rm NAME --wait (no flags) returns only once the agent has stopped the container", async () => {
    // SIGTERM is ignored: the container ends only by the SIGKILL after the agent's 1 s grace.
    await deploy({ name: "stubborn", command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"] });
    const [r] = await waitFor("stubborn to run", async () => {
      const rs = await replicas("stubborn");
      return rs[0]?.status === "running" && rs;
    });
    expect(runcIds(dataDir)).toContain(r!.container);
    const t0 = Date.now();
    const rm = await encCli(cluster, path.join(work, "home"), ["rm", "stubborn", "--wait"]);
    const tookMs = Date.now() - t0;
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toContain("Every container of stubborn has stopped");
    // When it returns the container is gone from runc and the workload from the control plane.
    expect(runcIds(dataDir)).not.toContain(r!.container);
    await expect(replicas("stubborn")).rejects.toMatchObject({ status: 404 });
    expect(tookMs).toBeGreaterThanOrEqual(1000);
    await drained();
    const { receipts } = await sealAndVerify(cluster, "stubborn");
    expect(chains(receipts).get(r!.container)!.map((x) => x.op)).toEqual(["pull", "create", "start", "stop", "kill", "exit"]);
  });
});
