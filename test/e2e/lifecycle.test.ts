// Workload lifecycle end to end: two real agents on this machine (sharing one host-port range, as
// two agents on one host would), a 2-replica HTTP service behind the Worker's gateway probed
// without pause, scaled 2 -> 3 -> 1, updated (new env, then new image) and rolled back with the
// enc CLI. No probe may fail, and scaling must not touch the surviving replicas' containers.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { encCli, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

let work: string;
let v1: BuiltImage;
let v2: BuiltImage;
let cluster: TestCluster;
const agents: { dir: string; proc: AgentProcess }[] = [];
const CLAIMS = path.join("/run/enc-agent", `test-claims-${process.pid}`);

type R = { id: string; node: string | null; status: string; container: string; healthy?: boolean; spec_version: number };
const replicas = async () => (await cluster.api.get<{ replicas: R[] }>("/v1/clusters/life/workloads/web")).replicas;
const serving = (rs: R[], n: number) => rs.length === n && rs.every((r) => r.status === "running" && r.healthy === true) && rs;

beforeAll(async () => {
  const t0 = Date.now();
  work = tempDir("e2e-life");
  v1 = buildBusyboxImage(path.join(work, "v1"), { layers: [[{ path: "etc/enc-release", type: "file", data: "one\n" }]] });
  v2 = buildBusyboxImage(path.join(work, "v2"), { layers: [[{ path: "etc/enc-release", type: "file", data: "two\n" }]] });
  cluster = await startCluster("life", { allow_host_network: true });
  for (let i = 0; i < 2; i++) {
    const dir = path.join(work, `agent-${i}`);
    const r = await runAgentOnce(["join", "--url", cluster.url, "--cluster", "life", "--token", await cluster.token(), "--data-dir", dir]);
    expect(r.code, r.output).toBe(0);
    // One port range for both: only the host-wide claims keep them from handing out the same port.
    agents.push({ dir, proc: spawnAgent(["run", "--data-dir", dir, "--heartbeat-s", "1", "--stop-grace-s", "3", "--port-range", "32400-32409", "--port-claims-dir", CLAIMS]) });
  }
  console.log(`setup took ${Date.now() - t0} ms`);
});

afterAll(async () => {
  const t0 = Date.now();
  for (const a of agents) await a.proc.kill();
  await cluster?.stop();
  for (const a of agents) cleanup(a.dir);
  cleanup(undefined, work);
  fs.rmSync(CLAIMS, { recursive: true, force: true });
  console.log(`teardown took ${Date.now() - t0} ms`);
});

describe("workload lifecycle behind the gateway", () => {
  it("scales 2 -> 3 -> 1, updates env then image and rolls back with no failed request, keeping survivors' containers", async () => {
    const home = path.join(work, "home");
    const enc = async (...args: string[]) => {
      const r = await encCli(cluster, home, args);
      expect(r.code, `enc ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const serve = 'echo "$(cat /etc/enc-release) ${GREETING:-hello}" > /tmp/index.html; exec httpd -f -p "$PORT" -h /tmp';
    await cluster.api.post("/v1/clusters/life/workloads", {
      name: "web",
      image: v1.ref,
      command: ["sh", "-c", serve],
      replicas: 2,
      restart: "always",
      ports: [{ container_port: 8080 }],
      cage: { network: "host" },
      health_check: { http_path: "/", interval_s: 1, threshold: 1 },
    });
    const first = await waitFor("two replicas serving", async () => serving(await replicas(), 2), 30_000);
    expect(new Set(first.map((r) => r.node)).size).toBe(2); // one per agent, same port range

    const gateway = `${cluster.url}/v1/clusters/life/services/web/`;
    const probes: { at: number; status: number; body: string }[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const res = await fetch(gateway, { signal: AbortSignal.timeout(5000) }).then(
          async (r) => ({ status: r.status, body: (await r.text()).trim() }),
          (e: Error) => ({ status: 0, body: e.message }),
        );
        probes.push({ at: Date.now(), ...res });
      }
    })();
    const seen = (text: string) => waitFor(`the gateway to answer "${text}"`, () => probes.slice(-5).length === 5 && probes.slice(-5).every((p) => p.body === text), 30_000, 50);
    try {
      await seen("one hello");
      const containerOf = new Map(first.map((r) => [r.id, r.container]));

      // 2 -> 3: a replica is added, the two running ones keep their containers.
      await enc("scale", "web", "3");
      const three = await waitFor("three replicas serving", async () => serving(await replicas(), 3), 30_000);
      for (const r of three.filter((x) => containerOf.has(x.id))) expect(r.container).toBe(containerOf.get(r.id));
      expect(three.filter((r) => containerOf.has(r.id))).toHaveLength(2);

      // 3 -> 1: the highest indexes go (drained from the gateway first); the survivor is untouched.
      await enc("scale", "web", "1");
      const one = await waitFor("one replica left", async () => {
        const rs = await replicas();
        return rs.length === 1 && rs;
      }, 30_000);
      expect(one[0].id).toBe(first.map((r) => r.id).sort()[0]);
      expect(one[0].container).toBe(containerOf.get(one[0].id));

      // New env: a rolling update (surge 1), the CLI waits for it.
      const envOut = await enc("set", "env", "web", "GREETING=bonjour", "--wait");
      expect(envOut).toMatch(/version 2: changed env/);
      await seen("one bonjour");
      expect((await replicas()).filter((r) => r.status !== "stopping").map((r) => r.spec_version)).toEqual([2]); // the old one drains

      // New image, same way.
      const imgOut = await enc("set", "image", "web", v2.ref, "--wait");
      expect(imgOut).toMatch(/version 3: changed image/);
      await seen("two bonjour");

      // Back to the previous version's containers (image one, env kept from version 2).
      const undoOut = await enc("rollout", "undo", "web", "--wait");
      expect(undoOut).toMatch(/version 4 \(changed image\)/);
      await seen("one bonjour");
      const status = await enc("rollout", "status", "web");
      expect(status).toMatch(/Rollout\s+complete/);
      const history = await enc("rollout", "history", "web");
      expect(history).toMatch(/undo to version 2/);
    } finally {
      probing = false;
      await prober;
    }
    const failed = probes.filter((p) => p.status !== 200);
    console.log(`probes: ${probes.length}, failed: ${failed.length}`);
    // Probed throughout: never blind for longer than one probe's timeout, from before the first
    // scale to after the undo (a count would depend on the host's load; 100+ on a quiet one).
    const longestGap = Math.max(...probes.slice(1).map((p, i) => p.at - probes[i].at));
    expect(longestGap).toBeLessThan(5_500);
    expect(probes.length).toBeGreaterThan(25);
    expect(failed).toEqual([]);
    const { entries } = await cluster.api.get<{ entries: { event: string }[] }>("/v1/clusters/life/audit?limit=1000");
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(["WorkloadScaled", "WorkloadUpdated", "RolloutCompleted", "RolloutUndone"]));

    // rm --wait returns once the agents report the containers stopped. httpd has no SIGTERM
    // handler: with tini as PID 1 (the default) it still ends at once, well within the grace.
    const t0 = Date.now();
    const rmOut = await enc("rm", "web", "--wait", "--grace-period", "20");
    expect(rmOut).toMatch(/Every container of web has stopped/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await expect(cluster.api.get("/v1/clusters/life/workloads/web")).rejects.toMatchObject({ status: 404 });
  }, 120_000); // about 30 s on an idle machine; bounded so a stuck rollout fails the suite
});
