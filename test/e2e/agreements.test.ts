// Agreements end to end: documents in several formats go through `enc apply` (the real CLI) to the
// real Worker (wrangler dev) and run under runc on a real agent with the replicas, env, ports and
// limits they state; update, rollback and delete roll the containers; a malformed document is
// refused with line and column and changes nothing.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { encCli, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

let work: string;
let home: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;

type Rep = { id: string; status: string; spec_version: number; container: string; healthy?: boolean };
type W = { workload: { spec: { name: string; replicas: number; env: Record<string, string>; resources: { cpu_millis: number; memory_mb: number }; ports: { container_port: number }[]; cage: { network: string } }; version: number }; replicas: Rep[] };

const enc = async (...args: string[]) => {
  const r = await encCli(cluster, home, args);
  expect(r.code, `enc ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
};
const workloads = async () => (await cluster.api.get<{ workloads: W[] }>(`/v1/clusters/${cluster.name}/workloads`)).workloads;
const running = (name: string, n: number, version?: number) =>
  waitFor(`${n} replicas of ${name} running`, async () => {
    const w = (await workloads()).find((x) => x.workload.spec.name === name);
    const live = w?.replicas.filter((r) => r.status === "running" && (version === undefined || r.spec_version === version));
    return w && live!.length === n && w.replicas.length === n && w;
  }, 60_000, 250);
/** Runs `sh -c script` in a replica's container through its agent. */
const inContainer = async (replica: string, script: string) => (await enc("exec", replica, "--", "sh", "-c", script)).trim();
const write = (name: string, text: string) => {
  const f = path.join(work, name);
  fs.writeFileSync(f, text);
  return f;
};

beforeAll(async () => {
  work = tempDir("e2e-agreements");
  home = path.join(work, "home");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster("agr-e2e", { quantum_crypto_enabled: true });
  const joined = await runAgentOnce(["join", "--url", cluster.url, "--cluster", cluster.name, "--token", await cluster.token(), "--data-dir", dataDir]);
  expect(joined.code, joined.output).toBe(0);
  agent = spawnAgent(["run", "--data-dir", dataDir, "--heartbeat-s", "1"]);
  // the image build and the shared Worker's start share 2 loaded cores with the other suites
}, 240_000);

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
});

// Each test waits on up to four rollouts (its waits allow 60-90 s each); the Compose one took 50 s
// of the default 60 s under load, and beside the node-parallel lane it ran out.
describe("agreements on a real agent", { timeout: 180_000 }, () => {
  it("CueYaml: a ServiceAgreement runs with its replicas, env, port and limits; a refused document changes nothing", async () => {
    const doc = `apiVersion: "cue.bpi.dev/v1"
kind: "ServiceAgreement"
metadata:
  name: "hello-service"
spec:
  service:
    name: "hello-api"
    image: "${image.ref}"
    replicas: 2
    command: ["sh", "-c", "echo \\"$GREETING from $(hostname)\\" > /tmp/index.html; exec httpd -f -p \\"$PORT\\" -h /tmp"]
    env:
      GREETING: "bonjour"
  resources:
    cpu: "250m"
    memory: "96Mi"
  security:
    syscall_filtering: true
    witness_recording: true
  network:
    ports:
      - containerPort: 8080
        protocol: "TCP"
  loadBalancer:
    healthCheck:
      path: "/"
      interval: "1s"
`;
    const out = await enc("apply", "-f", write("hello.yaml", doc));
    expect(out).toMatch(/^agreement\/hello-service created \(cue-yaml v1\)/m);
    const w = await running("hello-api", 2);
    expect(w.workload.spec).toMatchObject({ replicas: 2, env: { GREETING: "bonjour" }, resources: { cpu_millis: 250, memory_mb: 96 }, ports: [{ container_port: 8080 }] });
    const r = w.replicas[0].id;
    expect(await inContainer(r, "echo $GREETING")).toBe("bonjour");
    // Served through the gateway in the default cage (a cluster without allow_host_network): the
    // agent forwards its host port into the container's own network namespace, where httpd
    // listens on the container port; the HTTP health check goes the same way.
    expect(w.workload.spec.cage.network).toBe("none");
    expect(await inContainer(r, "echo $PORT; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")).toBe("8080\nlo");
    const body = await waitFor("the gateway to answer", async () => {
      const res = await fetch(`${cluster.url}/v1/clusters/${cluster.name}/services/hello-api/`).catch(() => undefined);
      return res?.ok && (await res.text()).trim();
    }, 30_000, 100);
    expect(body).toMatch(/^bonjour from \S+$/);
    await waitFor("both replicas healthy", async () => (await workloads()).find((x) => x.workload.spec.name === "hello-api")!.replicas.every((x) => x.healthy === true), 30_000, 250);
    // the cgroup limit runc was given: 96 MiB
    expect(await inContainer(r, "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes")).toBe(String(96 * 1024 * 1024));
    // applying it again is a no-op
    expect(await enc("apply", "-f", path.join(work, "hello.yaml"))).toMatch(/hello-service unchanged/);

    // malformed (line 9) and unsupported (by path): refused with where, nothing changes
    const before = (await workloads()).map((x) => [x.workload.spec.name, x.workload.version]);
    const bad = await encCli(cluster, home, ["apply", "-f", write("bad.yaml", doc.replace('replicas: 2', 'replicas: [2'))]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+:\d+/);
    const unsupported = await encCli(cluster, home, ["apply", "-f", write("priv.yaml", doc.replace("    replicas: 2", "    replicas: 3\n    privileged: true"))]);
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toContain("priv.yaml:10:5: spec.service.privileged: unsupported field");
    expect((await workloads()).map((x) => [x.workload.spec.name, x.workload.version])).toEqual(before);
    await enc("agreement", "rm", "hello-service");
    await waitFor("hello-api gone", async () => !(await workloads()).some((x) => x.workload.spec.name === "hello-api"), 60_000, 250);
  });

  it("Compose (as docker-compose config writes it): services in depends_on order, update, rollback and delete", async () => {
    const src = write("compose-src.yml", `version: "3.8"
services:
  db:
    image: ${image.ref}
    command: ["sh", "-c", "touch /tmp/ready; exec sleep 3600"]
    environment:
      ROLE: db
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 1
  web:
    image: ${image.ref}
    entrypoint: ["sh", "-c"]
    command: ["echo $$ROLE > /tmp/index.html; exec httpd -f -p $$PORT -h /tmp"]
    environment:
      - ROLE=web
    ports:
      - "8080"
    depends_on:
      db:
        condition: service_healthy
    deploy:
      replicas: 2
      resources:
        limits:
          cpus: "0.5"
          memory: 80M
`);
    const normalized = execFileSync("docker-compose", ["-f", src, "config"], { encoding: "utf8" });
    const file = write("shop.yaml", normalized);
    const out = await enc("apply", "-f", file);
    expect(out).toMatch(/agreement\/shop created \(compose v1; 1 more wave/);
    const db = await running("shop-db", 1);
    const web = await running("shop-web", 2);
    expect(web.workload.spec).toMatchObject({ env: { ROLE: "web" }, resources: { cpu_millis: 500, memory_mb: 77 } });
    expect(db.workload.spec.env).toEqual({ ROLE: "db" });
    // web was created only after db was healthy
    const audit = (await cluster.api.get<{ entries: { event: string; subject: string }[] }>(`/v1/clusters/${cluster.name}/audit?limit=1000`)).entries;
    const deployed = audit.filter((e) => e.event === "WorkloadDeployed").map((e) => e.subject);
    expect(deployed.indexOf("shop-db")).toBeLessThan(deployed.indexOf("shop-web"));
    expect(await inContainer(web.replicas[0].id, "echo $ROLE")).toBe("web");
    // its port is served through the gateway, without host network
    expect(web.workload.spec).toMatchObject({ ports: [{ container_port: 8080 }], cage: { network: "none" } });
    const viaGateway = () =>
      waitFor("shop-web through the gateway", async () => {
        const res = await fetch(`${cluster.url}/v1/clusters/${cluster.name}/services/shop-web/`).catch(() => undefined);
        return res?.ok && (await res.text()).trim();
      }, 30_000, 100);
    expect(await viaGateway()).toBe("web");

    // update: new env for web, a rolling update to version 2
    fs.writeFileSync(file, normalized.replace("ROLE: web", "ROLE: web2"));
    const diff = await enc("diff", "-f", file);
    expect(diff).toMatch(/~ workload\/shop-web \(update\)\n\s+env: \{"ROLE":"web"\} -> \{"ROLE":"web2"\}/);
    expect(await enc("apply", "-f", file)).toMatch(/agreement\/shop configured \(compose v2\)/);
    const w2 = await running("shop-web", 2, 2);
    expect(await inContainer(w2.replicas[0].id, "echo $ROLE")).toBe("web2");
    expect(await waitFor("the gateway to serve v2", async () => (await viaGateway()) === "web2", 30_000, 250)).toBe(true);
    expect(await enc("agreement", "history", "shop")).toMatch(/^2\*/m);

    // rollback to the previous version: env back, on a new workload version
    expect(await enc("agreement", "rollback", "shop")).toMatch(/rolled back to v1/);
    const w3 = await running("shop-web", 2, 3);
    expect(await inContainer(w3.replicas[0].id, "echo $ROLE")).toBe("web");

    // export: the workload as a DockLock document
    const exported = await enc("get", "workload", "shop-web", "-o", "yaml");
    expect(exported).toMatch(/^name: shop-web$/m);

    // delete: web first, then db; nothing else
    await enc("agreement", "rm", "shop");
    await waitFor("shop removed", async () => !(await workloads()).some((x) => x.workload.spec.name.startsWith("shop-")), 90_000, 250);
    // The record goes with the last wave, at the cluster's next liveness step (status `removing` until then).
    await waitFor("shop's record gone", async () => (JSON.parse(await enc("agreement", "list", "--json")) as { agreements: unknown[] }).agreements.length === 0, 30_000, 500);
  });

  it("CueTree and DockLock in one multi-document file: the tree parent first, then the child; both removed", async () => {
    const file = write("stack.yaml", `apiVersion: cue.bpi.dev/v1
kind: ServiceTree
metadata:
  name: tree
spec:
  services:
    - name: tree-api
      image: ${image.ref}
      command: ["sh", "-c", "exec sleep 3600"]
      env: {UPSTREAM: tree-db}
      dependencies: [tree-db]
    - name: tree-db
      image: ${image.ref}
      command: ["sh", "-c", "exec sleep 3600"]
      resources: {memory: 48Mi}
---
name: solo
image: ${image.ref}
command: ["sh", "-c", "exec sleep 3600"]
replicas: 2
env: {KIND: docklock}
`);
    const out = await enc("apply", "-f", file);
    expect(out).toMatch(/agreement\/tree created \(cue-tree v1; 1 more wave/);
    expect(out).toMatch(/agreement\/solo created \(docklock v1\)/);
    const db = await running("tree-db", 1);
    expect(db.workload.spec.resources.memory_mb).toBe(48);
    const api = await running("tree-api", 1);
    expect(await inContainer(api.replicas[0].id, "echo $UPSTREAM")).toBe("tree-db");
    const solo = await running("solo", 2);
    expect(await inContainer(solo.replicas[1].id, "echo $KIND")).toBe("docklock");
    const audit = (await cluster.api.get<{ entries: { event: string; subject: string }[] }>(`/v1/clusters/${cluster.name}/audit?limit=1000`)).entries;
    const deployed = audit.filter((e) => e.event === "WorkloadDeployed").map((e) => e.subject);
    expect(deployed.indexOf("tree-db")).toBeLessThan(deployed.indexOf("tree-api"));
    await enc("agreement", "rm", "tree");
    await enc("agreement", "rm", "solo");
    await waitFor("tree and solo removed", async () => (await workloads()).length === 0, 90_000, 250);
  });
});
