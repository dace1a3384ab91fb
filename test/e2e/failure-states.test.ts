// Issue 11, items 3 and 4, as a user meets them: a real Worker (wrangler dev), a real agent running
// containers under runc, and the `enc` CLI. A command that exits 3 crash-loops, a corrupted layer
// or a missing image layout cannot be pulled: each is a state of its own (CrashLoopBackOff,
// ImagePullBackOff) with its reason and next retry, in the API, `enc ps`, `enc health` (exit 1)
// and `enc deploy --wait` (fails within seconds). `enc events --follow` streams what happens.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterEvent } from "../../protocol/api/events.ts";
import type { Replica } from "../../protocol/api/workload.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { blobPath, cleanup, tamper, tempDir } from "../agent/helpers.ts";
import { encCli, ROOT, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

let work: string;
let dataDir: string;
let home: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;

const C = "fail";
const replicas = async (name: string) => (await cluster.api.get<{ replicas: Replica[] }>(`/v1/clusters/${C}/workloads/${name}`)).replicas;
const enc = (...args: string[]) => encCli(cluster, home, args);

beforeAll(async () => {
  work = tempDir("e2e-fail");
  dataDir = path.join(work, "agent");
  home = path.join(work, "home");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster(C);
  const r = await runAgentOnce(["join", "--url", cluster.url, "--cluster", C, "--token", await cluster.token(), "--data-dir", dataDir]);
  expect(r.code, r.output).toBe(0);
  // Back-off of 1 s doubling to at most 4 s: loops are seen quickly, and the cap is reached.
  agent = spawnAgent(["run", "--data-dir", dataDir, "--heartbeat-s", "1", "--backoff-s", "1", "--backoff-max-s", "4"]);
  await waitFor("the agent to start", () => agent!.output().includes("agent running"));
  expect((await enc("nodes")).code).toBe(0); // also writes the CLI's wallet file
}, 120_000);

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("failure states with reasons", () => {
  // First, before the image's layer is in the agent's cache (verified content is reused by digest).
  it("a corrupted layer is ImagePullBackOff with the digest mismatch, in the API and `enc ps`", async () => {
    const dir = path.join(work, "tampered");
    fs.cpSync(image.dir, dir, { recursive: true });
    const layer = image.layerDigests[0]!;
    tamper(blobPath(dir, layer));
    await cluster.api.post(`/v1/clusters/${C}/workloads`, { name: "badlayer", image: `oci:${dir}:latest`, command: ["true"] });
    const r = await waitFor("ImagePullBackOff", async () => (await replicas("badlayer")).find((x) => x.backoff), 30_000);
    expect(r.backoff).toMatchObject({ state: "ImagePullBackOff", reason: expect.stringMatching(new RegExp(`^layer ${layer} digest mismatch: got sha256:[0-9a-f]{64}$`)) });
    expect(r.status).toBe("starting"); // still meant to run: the state says why it does not
    expect(Date.parse(r.backoff!.next_retry_at)).toBeGreaterThan(Date.now() - 5000);
    // Retried with a growing, capped back-off: the failure count climbs.
    await waitFor("a second pull attempt", async () => ((await replicas("badlayer"))[0]?.backoff?.failures ?? 0) >= 2, 20_000);

    const ps = await enc("ps", "badlayer");
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/ImagePullBackOff/);
    expect(ps.stdout).toMatch(/digest mismatch: got sha256:[0-9a-f]+; retry in \d+ s/);
    expect((await enc("rm", "badlayer")).code).toBe(0);
  });

  it("`enc deploy --wait` of an image layout that does not exist fails within seconds, with the reason", async () => {
    const t0 = Date.now();
    const r = await enc("deploy", "nolayout", "--image", `oci:${path.join(work, "no-such-layout")}`, "--wait", "--timeout", "120");
    const took = Date.now() - t0;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(took).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/nolayout-1 is in ImagePullBackOff: .*cannot read oci-layout: ENOENT/);
    expect(r.stderr).toContain("See `enc events --workload nolayout` and `enc logs nolayout`.");
    expect((await enc("rm", "nolayout")).code).toBe(0);
  });

  it("a command that exits 3 is CrashLoopBackOff: `deploy --wait` fails at once; API, `enc ps`, `enc health` exit 1", async () => {
    const t0 = Date.now();
    const r = await enc("deploy", "crash", "--image", image.ref, "--restart", "on-failure", "--wait", "--timeout", "120", "--", "sh", "-c", "exit 3");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/crash-1 is in CrashLoopBackOff: exited 3; retry in \d+ s/);

    // Between tries (not while a try runs) the API also carries the last exit code.
    const rep = await waitFor("CrashLoopBackOff in the API", async () => (await replicas("crash")).find((x) => x.backoff && x.restarts >= 1 && x.exit_code === 3), 20_000);
    expect(rep.backoff).toMatchObject({ state: "CrashLoopBackOff", reason: "exited 3" });

    const ps = await waitFor("ps to show the loop", async () => {
      const out = await enc("ps");
      return /CrashLoopBackOff/.test(out.stdout) && out;
    }, 20_000);
    expect(ps.stdout).toMatch(/crash-1 .*CrashLoopBackOff.*exited 3; retry in \d+ s/);

    const health = await waitFor("health to name the loop", async () => {
      const out = await enc("health");
      return /CrashLoopBackOff/.test(out.stdout) && out;
    }, 20_000);
    expect(health.code).toBe(1);
    expect(health.stdout).toMatch(/degraded/);
    expect(health.stdout).toMatch(/crash-1 .*CrashLoopBackOff.*exited 3/);
    const json = await enc("health", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "degraded" });

    // The loop's story in the event stream: each exit, each back-off.
    const ev = await waitFor("crash events", async () => {
      const out = await enc("events", "--workload", "crash", "--json");
      const events = (JSON.parse(out.stdout) as { events: ClusterEvent[] }).events;
      return events.filter((e) => e.kind === "back_off").length >= 2 && events;
    }, 20_000);
    expect(ev.find((e) => e.kind === "exited")).toMatchObject({ source: "agent", replica: "crash-1", reason: "exit code 3" });
    expect(ev.find((e) => e.kind === "back_off")!.reason).toMatch(/^CrashLoopBackOff: exited 3; retry in [\d.]+ s$/);
    expect((await enc("rm", "crash", "--wait")).code).toBe(0);
    expect((await enc("health")).code).toBe(0);
  });
});

describe("enc events --follow", () => {
  it("streams scheduling, pull and start events of a new deploy as they happen, and stops on Ctrl-C", async () => {
    const wallet = path.join(home, "wallet.json");
    const env = { PATH: process.env.PATH ?? "", HOME: home, ENC_WALLET: wallet, ENC_URL: cluster.url, ENC_CLUSTER: C, NO_COLOR: "1" };
    const child = spawn(process.execPath, [path.join(ROOT, "bin/enc.mjs"), "events", "--follow", "--workload", "hello"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await waitFor("the follower to start", () => err.includes("Following events of hello") || (child.exitCode !== null && Promise.reject(new Error(err))), 15_000);
      expect(out).toBe(""); // nothing about hello yet

      await cluster.api.post(`/v1/clusters/${C}/workloads`, { name: "hello", image: image.ref, command: ["sleep", "60"] });
      await waitFor("scheduled, pulled and started to arrive", () => /started/.test(out) || (child.exitCode !== null && Promise.reject(new Error(err))), 20_000);
      const lines = out.trim().split("\n");
      const kinds = lines.map((l) => l.split(/\s+/)[1]);
      expect(kinds.slice(0, 3)).toEqual(["deployed", "replica_created", "scheduled"]);
      expect(kinds.indexOf("pulled")).toBeGreaterThan(kinds.indexOf("scheduled"));
      expect(kinds.indexOf("started")).toBeGreaterThan(kinds.indexOf("pulled"));
      expect(lines.find((l) => l.includes(" pulled "))).toContain(image.manifestDigest);
      for (const l of lines) expect(l).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z {2}/);

      // Removing it streams its stop too.
      await cluster.api.delete(`/v1/clusters/${C}/workloads/hello`);
      await waitFor("deleted to arrive", () => / deleted /.test(out + " "), 20_000);
    } finally {
      child.kill("SIGINT");
    }
    const t0 = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000); // at once, not when the held request ends
  });
});
