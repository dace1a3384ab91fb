// Kubernetes manifests and CueCage agreements end to end, on two real agents: a Deployment and
// Service written by Debian's kubectl run with the replicas, port, env and limits they name; the
// `-o k8s` export re-imports to the very same workload; a CageAgreement runs on both nodes and is
// accepted when their witness roots match, rejected (with both roots) when they differ.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { encCli, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";
import { parseAllDocuments } from "yaml";
import { Validator } from "@cfworker/json-schema";
import schema from "../fixtures/k8s/kubernetes-v1.14-schema.json";
import type { CageCheck } from "../../protocol/api/cage.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";

const NAME = "agrk8s";
let work: string;
let img: BuiltImage;
let cluster: TestCluster;
const agents: { dir: string; proc: AgentProcess }[] = [];

type R = { id: string; node: string | null; status: string; healthy?: boolean; container: string };
const workload = (name: string) => cluster.api.get<{ workload: { spec: WorkloadSpec; version: number }; replicas: R[] }>(`/v1/clusters/${NAME}/workloads/${name}`);
const kubectl = (args: string[], input?: string) => execFileSync("kubectl", args, { encoding: "utf8", input });

type Applied = { name: string; action: string; workloads: { name: string; action: string }[] };
/** `enc apply`'s request: the body in its own media type, signed, to the agreements API. */
async function apply(text: string): Promise<Applied[]> {
  const { results } = await cluster.api.sendText<{ results: Applied[] }>("POST", `/v1/clusters/${NAME}/agreements`, text, "application/yaml");
  return results;
}

/** Errors of an object against the Kubernetes schema of its apiVersion/kind. */
function k8sSchemaErrors(o: { apiVersion: string; kind: string }): string[] {
  const root = (schema.roots as Record<string, string>)[`${o.apiVersion}/${o.kind}`];
  if (!root) return [`no schema for ${o.apiVersion}/${o.kind}`];
  return new Validator({ $ref: `#/definitions/${root}`, definitions: schema.definitions } as never, "7", false).validate(o).errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

/** Memory limit (bytes) and CPU quota/period of a process's cgroup, v2 or v1. */
function cgroupLimits(pid: number): { memory: number; cpu: string } {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, "utf8").trim().split("\n").map((l) => l.split(":"));
  const v1 = (ctrl: string) => lines.find((l) => l[1]!.split(",").includes(ctrl))?.[2];
  const read = (...p: string[]) => fs.readFileSync(path.join("/sys/fs/cgroup", ...p), "utf8").trim();
  if (v1("memory") !== undefined) {
    return { memory: Number(read("memory", v1("memory")!, "memory.limit_in_bytes")), cpu: `${read("cpu", v1("cpu")!, "cpu.cfs_quota_us")} ${read("cpu", v1("cpu")!, "cpu.cfs_period_us")}` };
  }
  const unified = lines.find((l) => l[0] === "0")![2]!;
  return { memory: Number(read(unified, "memory.max")), cpu: read(unified, "cpu.max") };
}


beforeAll(async () => {
  work = tempDir("e2e-agr-k8s");
  img = buildBusyboxImage(path.join(work, "img"));
  // no allow_host_network: a pod's ports are served in the default cage (network "none")
  cluster = await startCluster(NAME);
  for (let i = 0; i < 2; i++) {
    const dir = path.join(work, `agent-${i}`);
    const r = await runAgentOnce(["join", "--url", cluster.url, "--cluster", NAME, "--token", await cluster.token(), "--data-dir", dir]);
    expect(r.code, r.output).toBe(0);
    agents.push({ dir, proc: spawnAgent(["run", "--data-dir", dir, "--heartbeat-s", "1", "--stop-grace-s", "2", "--port-range", `${32420 + i * 5}-${32424 + i * 5}`]) });
  }
});

afterAll(async () => {
  for (const a of agents) await a.proc.kill();
  await cluster?.stop();
  for (const a of agents) cleanup(a.dir);
  cleanup(undefined, work);
});

describe("Kubernetes manifests on real agents", () => {
  it("runs kubectl's Deployment + Service with its replicas, port, env and limits, and -o k8s re-imports to the same workload", async () => {
    const serve = 'echo "$GREETING" > /tmp/index.html; exec httpd -f -p "$PORT" -h /tmp';
    let dep = kubectl(["create", "deployment", "kweb", `--image=${img.ref}`, "--replicas=2", "--port=8080", "--dry-run=client", "-o", "yaml", "--", "sh", "-c", serve]);
    dep = kubectl(["set", "resources", "--local", "-f", "-", "--limits=cpu=500m,memory=256Mi", "-o", "yaml"], dep);
    dep = kubectl(["set", "env", "--local", "-f", "-", "GREETING=hola", "-o", "yaml"], dep);
    const svc = kubectl(["create", "service", "clusterip", "kweb", "--tcp=80:8080", "--dry-run=client", "-o", "yaml"]);
    expect(await apply(`${dep}---\n${svc}`)).toMatchObject([{ name: "kweb", action: "created", workloads: [{ name: "kweb", action: "create" }] }]);

    const running = await waitFor("two replicas running", async () => {
      const w = await workload("kweb");
      return w.replicas.length === 2 && w.replicas.every((r) => r.status === "running") && w;
    }, 60_000);
    expect(new Set(running.replicas.map((r) => r.node)).size).toBe(2);
    expect(running.workload.spec).toMatchObject({ replicas: 2, env: { GREETING: "hola" }, ports: [{ container_port: 8080 }], resources: { cpu_millis: 500, memory_mb: 256 }, restart: "always", cage: { network: "none" } });
    // What the container sees: the env, and the cgroup limits the agent set from the manifest.
    for (const r of running.replicas) {
      const dir = agents.map((a) => path.join(a.dir, "containers", r.container)).find((d) => fs.existsSync(d))!;
      const config = JSON.parse(fs.readFileSync(path.join(dir, "bundle", "config.json"), "utf8")) as { linux: { resources: { memory: { limit: number }; cpu: { quota: number; period: number } } } };
      expect(config.linux.resources.memory.limit).toBe(256 * 2 ** 20);
      expect(config.linux.resources.cpu).toMatchObject({ quota: 50_000, period: 100_000 });
      // and the kernel enforces them: the cgroup files of the container's process on the host
      const agentDir = path.dirname(path.dirname(dir));
      const { pid } = JSON.parse(execFileSync("runc", ["--root", path.join(agentDir, "runc"), "state", r.container], { encoding: "utf8" })) as { pid: number };
      expect(cgroupLimits(pid)).toEqual({ memory: 256 * 2 ** 20, cpu: "50000 100000" });
    }
    const body = await waitFor("the gateway to answer", async () => {
      const res = await fetch(`${cluster.url}/v1/clusters/${NAME}/services/kweb/`).catch(() => undefined);
      return res?.ok && (await res.text()).trim();
    }, 30_000);
    expect(body).toBe("hola");

    // Export with the CLI, check the objects against the Kubernetes schema, re-apply them: the same
    // spec, so no new workload version and no replaced replica.
    const r = await encCli(cluster, path.join(work, "home"), ["get", "workload", "kweb", "-o", "k8s"]);
    expect(r.code, r.stderr).toBe(0);
    const exported = parseAllDocuments(r.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string });
    expect(exported.map((o) => o.kind)).toEqual(["Deployment", "Service"]);
    for (const o of exported) expect(k8sSchemaErrors(o)).toEqual([]);
    // (a new agreement version: its documents are the exported ones, but its workload is unchanged)
    const again = await apply(r.stdout);
    expect(again).toMatchObject([{ name: "kweb", workloads: [{ name: "kweb", action: "unchanged" }] }]);
    const after = await workload("kweb");
    expect(after.workload.version).toBe(running.workload.version);
    expect(after.workload.spec).toEqual(running.workload.spec);
    expect(after.replicas.map((r) => r.id).sort()).toEqual(running.replicas.map((r) => r.id).sort());
  });

  it("refuses a manifest ENC cannot honour by path, and changes nothing", async () => {
    const dep = kubectl(["create", "deployment", "kbad", `--image=${img.ref}`, "--dry-run=client", "-o", "yaml"]).replace("    spec:\n", "    spec:\n      hostNetwork: true\n");
    const refused = await apply(dep).then(() => undefined, (e: { status: number; problem: { field: string; line: number; column: number } }) => e);
    expect(refused?.status).toBe(422);
    expect(refused?.problem).toMatchObject({ field: "spec.template.spec.hostNetwork", line: expect.any(Number), column: expect.any(Number) });
    await expect(workload("kbad")).rejects.toThrow(/404|no workload/);
  });
});

describe("CueCage on two real agents", () => {
  const cageDoc = (name: string, script: string) => `
apiVersion: cue.bpi.dev/v1
kind: CageAgreement
metadata:
  name: ${name}
spec:
  image: ${img.ref}
  command: ["sh", "-c", ${JSON.stringify(script)}]
  env:
    INPUT: "the same bytes everywhere"
  seed: "seed-42"
  output_dir: /out
  verification:
    nodes: 2
`;
  const verdict = (name: string) =>
    waitFor(`${name}'s verdict`, async () => {
      const { job } = await cluster.api.get<{ job: CageCheck }>(`/v1/clusters/${NAME}/agreements/${name}/verdict`);
      return job.verdict && job.verdict.status !== "pending" && job;
    }, 60_000);

  it("accepts a deterministic job whose witness roots match on both nodes", async () => {
    await apply(cageDoc("cage-ok", 'echo "$INPUT" | sha256sum > /out/digest; head -c 64 /dev/urandom | od -An -tx1; cat /out/digest'));
    const job = await verdict("cage-ok");
    expect(job.verdict!.status).toBe("accepted");
    const runs = job.verdict!.runs;
    expect(new Set(runs.map((r) => r.node)).size).toBe(2);
    expect(runs[0]!.witness_root).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(runs[1]!.witness_root).toBe(runs[0]!.witness_root);
    type Entry = { event: string; subject: string; details: { status: string; runs: { witness_root: string }[] } };
    const entry = await waitFor("the CageVerdict audit entry", async () =>
      (await cluster.api.get<{ entries: Entry[] }>(`/v1/clusters/${NAME}/audit?limit=1000`)).entries.find((e) => e.event === "CageVerdict" && e.subject === "cage-ok"), 20_000);
    expect(entry?.details.status).toBe("accepted");
    expect(entry?.details.runs.map((r) => r.witness_root)).toEqual(runs.map((r) => r.witness_root));
    // `enc agreement show` reads the agreement with its check
    const shown = await cluster.api.get<{ cage: CageCheck }>(`/v1/clusters/${NAME}/agreements/cage-ok`);
    expect(shown.cage.verdict).toMatchObject({ status: "accepted", runs });
    // and the CLI prints it: the verdict, each node with its witness root; --json carries the check
    const home = path.join(work, "home");
    const human = await encCli(cluster, home, ["agreement", "show", "cage-ok"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Verdict\s+accepted \(2 distinct nodes required\)$/m);
    for (const [i, r] of runs.entries()) expect(human.stdout).toMatch(new RegExp(`^Run ${i + 1}\\s+node ${r.node}  root ${r.witness_root}  exit 0$`, "m"));
    const asJson = await encCli(cluster, home, ["agreement", "show", "cage-ok", "--json"]);
    expect((JSON.parse(asJson.stdout) as { cage: CageCheck }).cage.verdict).toMatchObject({ status: "accepted", runs });
  });

  it("rejects a job that reads what the cage cannot fix (uptime, its own start time, the clock), with both roots", async () => {
    // The determinism cage fixes randomness, hostname and env, not the kernel's clocks. Uptime and
    // start time tick in 10 ms: two agents that start the job in the same tick print the same, so
    // the process's own CPU time in nanoseconds (schedstat) is read too.
    await apply(cageDoc("cage-bad", "cat /proc/uptime /proc/self/stat /proc/self/schedstat; date +%s%N"));
    const job = await verdict("cage-bad");
    expect(job.verdict!.status).toBe("rejected");
    expect(job.verdict!.reason).toMatch(/witness roots differ/);
    const [a, b] = job.verdict!.runs;
    expect(a!.node).not.toBe(b!.node);
    expect(a!.witness_root).toMatch(/^blake3:/);
    expect(b!.witness_root).toMatch(/^blake3:/);
    expect(a!.witness_root).not.toBe(b!.witness_root);
    expect(job.verdict!.reason).toContain(a!.witness_root!);
    expect(job.verdict!.reason).toContain(b!.witness_root!);
    const shown = await encCli(cluster, path.join(work, "home"), ["agreement", "show", "cage-bad"]);
    expect(shown.stdout).toMatch(/^Verdict\s+rejected/m);
    expect(shown.stdout).toMatch(/^Reason\s+.*witness roots differ/m);
    for (const r of [a!, b!]) expect(shown.stdout).toContain(`node ${r.node}  root ${r.witness_root}`);
  });
});
