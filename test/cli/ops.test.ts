// The operations commands against one real control plane (wrangler dev, fresh state): deploy, ps,
// scale, logs, nodes cordon/drain/uncordon, metrics, health, monitor and rm. Two nodes join with
// join tokens; a fake agent loop heartbeats for them (every replica they are given reports
// running), so no real agent or runc is needed.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { short } from "../../cli/lib/table.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv, json, type EncResult } from "./run-enc.ts";

const CLUSTER = "ops";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface FakeNode {
  signer: Signer;
  api: ApiClient;
  ip: string;
}

let cp: Awaited<ReturnType<typeof sharedControlPlane>>;
let home: string;
let env: Record<string, string>;
let a: FakeNode; // determinism-capable, label disk=ssd, zone z1
let b: FakeNode; // zone z2
let ticker: ReturnType<typeof setInterval> | undefined;
let ticking: Promise<void> | undefined;

/** One round of the fake agents: each node reports every replica it should run as running (one ordered to stop, exited). */
async function tick(): Promise<void> {
  for (const n of [a, b]) {
    const base = `/v1/clusters/${CLUSTER}/nodes/${n.signer.address}`;
    const desired = await n.api.get<{ replicas: { id: string; workload: string; stop?: object }[] }>(`${base}/desired?since=0&wait=0`);
    await n.api.post(`${base}/heartbeat`, {
      usage: { cpu_millis: 500, memory_mb: 1024 },
      // `stuck` plays a node that never gets its container stopped.
      containers: desired.replicas.map((r) => (r.stop && r.workload !== "stuck" ? { replica: r.id, status: "exited" } : { replica: r.id, status: "running", endpoint: `http://${n.ip}:8080` })),
    });
  }
}

/** Waits for the background round in flight (if any) and runs one more. */
async function settle(): Promise<void> {
  await ticking;
  await tick();
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-ops-"));
  cp = await sharedControlPlane();
  env = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "owner", "wallet.json") });
  expect((await enc(["wallet", "new"], env)).code).toBe(0);
  // A stop no agent confirms is dropped 3 s after its grace period (default 30 s).
  writeFileSync(path.join(home, "ops-config.json"), JSON.stringify({ stop_confirm_slack_s: 3 }));
  const created = await enc(["cluster", "create", CLUSTER, "--config", path.join(home, "ops-config.json")], env);
  expect(created.code, created.stderr).toBe(0);
  const [ta, tb, sa, sb] = await Promise.all([
    enc(["token", "create", "--json"], env),
    enc(["token", "create", "--json"], env),
    signerFromSeed(generateSeed()),
    signerFromSeed(generateSeed()),
  ]);
  a = { signer: sa, api: new ApiClient({ url: cp.url, signer: sa }), ip: "10.0.0.1" };
  b = { signer: sb, api: new ApiClient({ url: cp.url, signer: sb }), ip: "10.0.0.2" };
  await a.api.post(`/v1/clusters/${CLUSTER}/nodes`, {
    token: json(ta).token, endpoint: "http://10.0.0.1:7000", zone: "z1", labels: { disk: "ssd" },
    capabilities: { cpu_cores: 4, memory_gb: 8, supports_determinism_cage: true },
  });
  await b.api.post(`/v1/clusters/${CLUSTER}/nodes`, {
    token: json(tb).token, endpoint: "http://10.0.0.2:7000", zone: "z2", capabilities: { cpu_cores: 4, memory_gb: 8 },
  });
  await tick();
  // Heartbeats keep both nodes alive (TTL 10 s) and mark new placements running within a second.
  ticker = setInterval(() => {
    ticking ??= tick()
      .catch(() => {})
      .finally(() => (ticking = undefined));
  }, 1000);
}, 60_000);

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  await ticking;
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

const ownerApi = async () => {
  const { loadSigner } = await import("../../cli/lib/wallet.ts");
  return new ApiClient({ url: cp.url, signer: await loadSigner(env.ENC_WALLET) });
};

describe("usage and API errors", () => {
  it("exit 2 for bad command lines, exit 1 with the server's problem", async () => {
    const [noImage, badRestart, badEnv, badScale, badImage, unknown, unknownJson] = await Promise.all([
      enc(["deploy", "web", "--", "echo", "hi"], env),
      enc(["deploy", "web", "--image", "x/y", "--restart", "sometimes"], env),
      enc(["deploy", "web", "--image", "x/y", "--env", "NOVALUE"], env),
      enc(["scale", "web", "many"], env),
      enc(["deploy", "web", "--image", "nope"], env),
      enc(["ps", "nope"], env),
      enc(["logs", "nope", "--json"], env),
    ]);
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toMatch(/needs --image/);
    expect(badRestart.code).toBe(2);
    expect(badRestart.stderr).toMatch(/--restart must be one of never, on-failure, always/);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/--env takes key=value/);
    expect(badScale.code).toBe(2);
    expect(badImage.code).toBe(1); // checked by the server: its problem, with the field
    expect(badImage.stderr).toMatch(/\(400\)|\(422\)/);
    expect(badImage.stderr).toMatch(/image/);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/\(404\): no workload nope/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    expect(unknownJson.code).toBe(1);
    expect(JSON.parse(unknownJson.stderr).error).toMatchObject({ code: "api_error", status: 404, problem: { detail: "no workload nope" } });
  });
});

describe("workloads", () => {
  it("deploy: human output, --json with every flag, --file, and `--` ending enc's own flags", async () => {
    const spec = path.join(home, "batch.json");
    writeFileSync(spec, JSON.stringify({ name: "batch", image: "oci:./images/batch", env: { FROM_FILE: "1" }, replicas: 0 }));
    const [web, job, batch] = await Promise.all([
      enc(["deploy", "web", "--image", "registry.example.com/web:1", "--replicas", "2", "--port", "8080", "--", "serve", "--json"], env),
      enc(
        [
          "deploy", "job", "--image", "oci:./images/job", "--env", "A=1", "--env", "B=x=y", "--cpu", "200", "--memory", "128",
          "--port", "80", "--port", "443", "--restart", "on-failure", "--determinism", "--seed", "42", "--network", "none",
          "--output-dir", "/out", "--constraint", "supports_determinism_cage=true", "--constraint", "node_type=compute",
          "--label", "disk=ssd", "--zone", "z1", "--nodes", a.signer.address, "--autoscale", "1:3:50", "--algorithm", "least_connections", "--wallet-auth",
          "--health-http", "/healthz", "--secondaries", "0", "--json", "--", "sh", "-c", "echo hi", "--json",
        ],
        env,
      ),
      enc(["deploy", "--file", spec, "--env", "EXTRA=2", "--json"], env),
    ]);
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toContain("Deployed web to cluster ops (version 1)");
    expect(web.stdout).toMatch(/Command\s+serve --json/);
    expect(web.stdout).toMatch(/Replicas\s+2 primary/);
    expect(web.stdout).toMatch(/REPLICA\s+TYPE\s+NODE\s+STATUS\s+RESTARTS\s+ENDPOINT\s+EXIT/);
    expect(web.stdout).toMatch(/^web-1\s+primary\s+bpi1/m);
    expect(web.stdout).toMatch(/^web-2\s+primary\s+bpi1/m);

    expect(job.code, job.stderr).toBe(0);
    const j = json(job);
    expect(j.cluster).toBe("ops");
    expect(j.workload.spec).toMatchObject({
      name: "job", image: "oci:./images/job", command: ["sh", "-c", "echo hi", "--json"], env: { A: "1", B: "x=y" },
      resources: { cpu_millis: 200, memory_mb: 128 }, ports: [{ container_port: 80 }, { container_port: 443 }], restart: "on-failure",
      cage: { determinism: true, seed: "42", network: "none", output_dir: "/out" },
      constraints: { node_type: "compute", capabilities: { supports_determinism_cage: true }, labels: { disk: "ssd" }, zone: "z1", nodes: [a.signer.address] },
      autoScaling: { enabled: true, minReplicas: 1, maxReplicas: 3, targetCPU: 50 },
      load_balancing_algorithm: "least_connections", wallet_authentication: true, health_check: { http_path: "/healthz" },
    });
    expect(j.replicas).toHaveLength(1);
    expect(j.replicas[0]).toMatchObject({ id: "job-1", replica_type: "primary", node: a.signer.address }); // only A fits

    expect(batch.code, batch.stderr).toBe(0);
    expect(json(batch).workload.spec).toMatchObject({ name: "batch", env: { FROM_FILE: "1", EXTRA: "2" }, replicas: 0 });
    expect(json(batch).replicas).toEqual([]);
  });

  it("deploy --wait prints progress until every replica runs", async () => {
    const r = await enc(["deploy", "waiter", "--image", "registry.example.com/w:1", "--replicas", "2", "--wait", "--timeout", "20"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/waiting… waiter: 2 pending/);
    expect(r.stderr).toMatch(/waiting… waiter: 2 running/);
    expect(r.stdout).toMatch(/^waiter-1\s+primary\s+bpi1\S+\s+running\s+0\s+http:\/\/10\.0\.0\.\d:8080\s+-/m);
    expect(r.stdout).toMatch(/^waiter-2\s+primary\s+\S+\s+running/m);
  });

  it("ps lists every replica, and one workload in detail", async () => {
    await settle();
    const [all, one, oneJson, allJson] = await Promise.all([enc(["ps"], env), enc(["ps", "web"], env), enc(["ps", "web", "--json"], env), enc(["ps", "--json"], env)]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/REPLICA\s+TYPE\s+NODE\s+STATUS\s+HEALTH\s+RESTARTS\s+AGE\s+ENDPOINT\s+EXIT/);
    for (const id of ["web-1", "web-2", "job-1", "waiter-1"]) expect(all.stdout).toMatch(new RegExp(`^${id}\\s+primary\\s+bpi1\\S+…\\S+\\s+running\\s+-\\s+0\\s+\\d+[smhd]\\s+http://`, "m"));
    expect(all.stdout).toMatch(new RegExp(`^job-1\\s+primary\\s+${short(a.signer.address)}\\s`, "m"));
    expect(all.stdout).toMatch(/batch: no replicas/);
    expect(all.stdout).toMatch(/4 workloads in ops; 5 replicas: 5 running/);
    expect(one.stdout).toMatch(/Workload\s+web/);
    expect(one.stdout).toMatch(/Image\s+registry\.example\.com\/web:1/);
    expect(one.stdout).toMatch(/Replicas\s+2 primary; 2 running/);
    const w = json(oneJson);
    expect(w.workload.spec.name).toBe("web");
    expect(w.replicas.map((r: { status: string }) => r.status)).toEqual(["running", "running"]);
    expect(w.replicas[0].endpoint).toMatch(/^http:\/\/10\.0\.0\.\d:8080$/);
    expect(json(allJson).workloads.map((x: { workload: { spec: { name: string } } }) => x.workload.spec.name).sort()).toEqual(["batch", "job", "waiter", "web"]);
  });

  it("ps -o wide|json|yaml, and --watch until Ctrl-C", async () => {
    const [wide, yaml, asJson, bad] = await Promise.all([enc(["ps", "web", "-o", "wide"], env), enc(["ps", "web", "-o", "yaml"], env), enc(["ps", "web", "-o", "json"], env), enc(["ps", "-o", "xml"], env)]);
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/REPLICA\s+TYPE\s+NODE\s+STATUS\s+HEALTH\s+RESTARTS\s+AGE\s+ENDPOINT\s+EXIT\s+NET\s+CONTAINER\s+VERSION/);
    const w = json(asJson);
    expect(wide.stdout).toContain(w.replicas[0].node); // whole, not shortened
    expect(wide.stdout).toMatch(/^web-1\s.*\s1$/m); // spec VERSION last
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(yaml.stdout).toMatch(/^cluster: ops\nworkload:\n {2}spec:\n {4}name: web\n/);
    expect(yaml.stdout).toMatch(/^replicas:\n {2}-\n {4}id: web-1$/m);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-o "xml" is not an output format; choose one of: table, wide, json, yaml');

    const watch = follow(["ps", "waiter", "--watch", "--interval", "1", "--json"]);
    await watch.until((out) => out.split("\n").filter(Boolean).length >= 1);
    await scaleTo(3);
    await watch.until((out) => out.split("\n").filter(Boolean).some((l) => JSON.parse(l).replicas.length === 3));
    const done = await watch.interrupt();
    expect(done.code, done.stderr).toBe(0);
    const docs = done.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { replicas: unknown[] });
    expect(docs[0]!.replicas).toHaveLength(2);
    await scaleTo(2);
  });

  it("scale up and down", async () => {
    const up = await enc(["scale", "web", "3"], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/Scaled web to 3 primary replicas/);
    expect(up.stdout).toMatch(/^web-3\s+primary/m);
    const down = json(await enc(["scale", "web", "1", "--json"], env));
    expect(down).toMatchObject({ cluster: "ops", workload: "web" });
    // The surplus drains first: out of the gateway ("stopping"), then gone once its agent stopped it.
    const kept = (down.replicas as { id: string; status: string }[]).filter((r) => r.status !== "stopping").map((r) => r.id);
    expect(kept).toEqual(["web-1"]);
  });

  it("logs: stdout and stderr of the replicas, --tail, --replica, --json", async () => {
    const api = await ownerApi();
    const { replicas } = await api.get<{ replicas: { id: string; node: string }[] }>(`/v1/clusters/${CLUSTER}/workloads/web`);
    const node = replicas[0].node === a.signer.address ? a : b;
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    await node.api.post(`/v1/clusters/${CLUSTER}/nodes/${node.signer.address}/logs`, {
      entries: [
        { replica: "web-1", stream: "stdout", offset: 0, data: b64("hello\nworld\n") },
        { replica: "web-1", stream: "stderr", offset: 0, data: b64("oops\n") },
      ],
    });
    const [plain, tailed, only, missing, bytes] = await Promise.all([
      enc(["logs", "web"], env),
      enc(["logs", "web", "--tail", "1", "--json"], env), // lines
      enc(["logs", "web", "--replica", "web-1"], env),
      enc(["logs", "web", "--replica", "web-9"], env),
      enc(["logs", "web", "--limit-bytes", "3"], env),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe("hello\nworld\n");
    expect(plain.stderr).toBe("oops\n");
    const t = json(tailed);
    expect(t.logs).toEqual(
      expect.arrayContaining([
        { replica: "web-1", stream: "stdout", offset: 6, text: "world\n" },
        { replica: "web-1", stream: "stderr", offset: 0, text: "oops\n" },
      ]),
    );
    expect(only.stdout).toBe("hello\nworld\n");
    expect(bytes.stdout).toBe("ld\n");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no replica web-9 in web/);

    // --follow: prints what is there, then only what is new; Ctrl-C ends it with exit 0.
    const f = follow(["logs", "web", "--follow"]);
    await f.until((out) => out.includes("world\n"));
    await node.api.post(`/v1/clusters/${CLUSTER}/nodes/${node.signer.address}/logs`, {
      entries: [{ replica: "web-1", stream: "stdout", offset: 12, data: b64("again\n") }],
    });
    await f.until((out) => out.includes("again\n"));
    const r = await f.interrupt();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("hello\nworld\nagain\n");
  });

  it("logs --since, --timestamps, --previous (the replica's container before its current one)", async () => {
    const api = await ownerApi();
    const { replicas } = await api.get<{ replicas: { id: string; node: string; container: string }[] }>(`/v1/clusters/${CLUSTER}/workloads/web`);
    const web1 = replicas.find((r) => r.id === "web-1")!;
    const node = web1.node === a.signer.address ? a : b;
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const old = new Date(Date.now() - 3_600_000).toISOString();
    const lately = new Date(Date.now() - 1000).toISOString();
    // After "hello\nworld\nagain\n" (18 bytes): the last line of an earlier container, then the current one's.
    await node.api.post(`/v1/clusters/${CLUSTER}/nodes/${node.signer.address}/logs`, {
      entries: [
        { replica: "web-1", stream: "stdout", offset: 18, data: b64("before\n"), at: old, container: "web-1.earlier" },
        { replica: "web-1", stream: "stdout", offset: 25, data: b64("lately\n"), at: lately, container: web1.container },
      ],
    });
    const w1 = ["logs", "web", "--replica", "web-1"];
    const [since, stamped, previous, sinceTime, badSince, previousFollow] = await Promise.all([
      enc([...w1, "--since", "10m"], env),
      enc([...w1, "--since", "1h30m", "--timestamps"], env),
      enc([...w1, "--previous", "--timestamps"], env),
      enc([...w1, "--since", new Date(Date.now() - 7_200_000).toISOString(), "--tail", "1"], env),
      enc([...w1, "--since", "5x"], env),
      enc([...w1, "--previous", "--follow"], env),
    ]);
    expect(since.code, since.stderr).toBe(0);
    expect(since.stdout).toBe("lately\n");
    expect(stamped.stdout).toBe(`${old} before\n${lately} lately\n`);
    expect(previous.code, previous.stderr).toBe(0);
    expect(previous.stdout).toBe(`${old} before\n`);
    expect(sinceTime.stdout).toBe("lately\n");
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/--since must be a duration/);
    expect(previousFollow.code).toBe(2);
  });
});

describe("nodes, metrics, health and monitor", () => {
  it("cordon, drain and uncordon; health turns degraded and back", async () => {
    const cordoned = await enc(["nodes", "cordon", a.signer.address, "--json"], env);
    expect(cordoned.code, cordoned.stderr).toBe(0);
    expect(json(cordoned).node).toMatchObject({ address: a.signer.address, status: "cordoned" });
    // The short form `enc ps` prints names the node too.
    const drained = await enc(["nodes", "drain", short(b.signer.address)], env);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain(`Draining node ${b.signer.address} (now draining)`);
    const [list, health, healthJson, ps, bad, unknownNode] = await Promise.all([
      enc(["nodes"], env),
      enc(["health"], env),
      enc(["health", "--json"], env),
      enc(["ps", "--json"], env),
      enc(["nodes", "drain", "xyz"], env),
      enc(["nodes", "cordon", "bpi1qqqqqqqqqq"], env),
    ]);
    expect(bad.code).toBe(2);
    expect(unknownNode.code).toBe(1);
    expect(unknownNode.stderr).toMatch(/no node of cluster ops matches/);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${a.signer.address}\\s+compute\\s+cordoned`));
    expect(list.stdout).toMatch(new RegExp(`${b.signer.address}\\s+compute\\s+draining`));
    const onB = json(ps).workloads.flatMap((w: { replicas: { node: string | null }[] }) => w.replicas).filter((r: { node: string | null }) => r.node === b.signer.address);
    expect(onB).toEqual([]);
    expect(health.code).toBe(1); // B's replicas have nowhere to go
    expect(health.stdout).toMatch(/✗ Cluster ops is degraded: 0 nodes down, \d+ replicas? with problems/);
    expect(health.stdout).toMatch(/not placed/);
    expect(healthJson.code).toBe(1);
    expect(json(healthJson)).toMatchObject({ cluster: "ops", status: "degraded" });

    const [ua, ub] = await Promise.all([enc(["nodes", "uncordon", a.signer.address], env), enc(["nodes", "uncordon", b.signer.address, "--json"], env)]);
    expect(ua.code, ua.stderr).toBe(0);
    expect(ua.stdout).toContain("Uncordoned node");
    expect(json(ub).node.status).toBe("ready");
    await settle();
    const ok = await enc(["health"], env);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/✓ Cluster ops is healthy: 2 nodes, \d+ replicas/);
    expect(ok.stdout).toMatch(/NODE\s+STATUS\s+LAST HEARTBEAT/);
    expect(ok.stdout).toMatch(/ready\s+\d+\.\d s ago/);
  });

  it("metrics: human, --json and --prometheus", async () => {
    const [human, j, prom] = await Promise.all([enc(["metrics"], env), enc(["metrics", "--json"], env), enc(["metrics", "--prometheus"], env)]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Nodes\s+2 \(2 ready\)/);
    expect(human.stdout).toMatch(/Workloads\s+4/);
    expect(human.stdout).toMatch(/CPU\s+\d+\.\d % used, \d+\.\d % allocated/);
    const m = json(j);
    expect(m.cluster).toBe("ops");
    expect(m.metrics).toMatchObject({ total_nodes: 2, healthy_nodes: 2, total_workloads: 4 });
    expect(m.metrics.cpu_utilization).toBeCloseTo(1000 / 8000, 3); // 2 × 500 millis reported over 2 × 4 cores
    expect(prom.code).toBe(0);
    expect(prom.stdout).toContain("# TYPE enc_cluster_total_nodes gauge");
    expect(prom.stdout).toContain('enc_cluster_total_nodes{cluster="ops"} 2');
  });

  it("monitor --count 2: one snapshot per interval when stdout is not a terminal", async () => {
    const [human, j] = await Promise.all([
      enc(["monitor", "--count", "2", "--interval", "1"], env),
      enc(["monitor", "--count", "2", "--interval", "1", "--json"], env),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.match(/enc monitor · ops · ok/g)).toHaveLength(2);
    expect(human.stdout).not.toContain("\x1b[");
    expect(human.stdout).toMatch(/NODE\s+STATUS\s+LAST HEARTBEAT/);
    expect(human.stdout).toMatch(/^job-1\s+primary\s+\S+\s+running/m);
    expect(human.stdout).toMatch(/Replicas\s+\d+ \(\d+ running, 0 unplaced\)/);
    const lines = j.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ cluster: "ops", status: "ok", metrics: { total_nodes: 2 } });
    expect(lines[1].nodes).toHaveLength(2);
    expect(lines[1].workloads.length).toBe(4);
  });

  it("rm --wait does not claim a stop no node confirmed: the replica dropped after its grace period is named, exit 1", async () => {
    const d = await enc(["deploy", "stuck", "--image", "oci:/srv/images/busybox:latest", "--", "sleep", "3600"], env);
    expect(d.code, d.stderr).toBe(0);
    await settle();
    await settle();
    // The drop comes stop_confirm_slack_s (3 s) after the SIGKILL order (grace 0): the CLI waits that out.
    const r = await enc(["rm", "stuck", "--wait", "--force", "--json"], env, 75_000);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { deleted: string; stopped: boolean; unconfirmed: { reason: string }[] };
    expect(out).toMatchObject({ deleted: "stuck", stopped: false });
    expect(out.unconfirmed).toHaveLength(1);
    expect(out.unconfirmed[0]!.reason).toMatch(/did not report stuck-\d+ stopped within its grace period; dropped/);
  }, 90_000);

  it("rm deletes a workload; --wait returns once its agents stopped it, afterwards it is unknown", async () => {
    const r = await enc(["rm", "web", "--wait"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Deleted workload web from cluster ops");
    expect(r.stdout).toContain("Every container of web has stopped");
    const [again, ps] = await Promise.all([enc(["rm", "web", "--json"], env), enc(["ps", "web"], env)]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error).toMatchObject({ status: 404 });
    expect(ps.code).toBe(1);
    expect(ps.stderr).toMatch(/no workload web/);
  });
});

/** A long-running `enc` (logs --follow) whose output the test watches, stopped with SIGINT. */
async function scaleTo(n: number): Promise<void> {
  const r = await enc(["scale", "waiter", String(n)], env);
  expect(r.code, r.stderr).toBe(0);
  await settle();
}

function follow(args: string[]) {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/enc.mjs"), ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<EncResult>((resolve) => child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr })));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return {
    async until(ok: (out: string) => boolean): Promise<void> {
      const deadline = Date.now() + 15_000;
      while (!ok(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no match in time:\n${stdout}\n--- stderr ---\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async interrupt(): Promise<EncResult> {
      child.kill("SIGINT");
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}
