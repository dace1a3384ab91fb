import { describe, expect, it } from "vitest";
import { compileBody } from "../../../domain/agreements/compile.ts";
import { dependencyWaves } from "../../../domain/agreements/order.ts";
import seed from "../../fixtures/agreements/seed-service-agreement.yaml?raw";

const ctx = { cluster: "c1", config: { quantum_crypto_enabled: true } };

describe("CueYaml (ServiceAgreement)", () => {
  it("compiles the seed's example verbatim: every field lands in the workload or a registry binding", () => {
    const r = compileBody(seed, ctx);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const a = r.units[0].agreement;
    expect(a).toMatchObject({ name: "secure-web-service", type: "cue-yaml", registry: [{ host: "api.example.com", workload: "web-api", tls: true }] });
    expect(a.workloads[0]).toMatchObject({
      name: "web-api",
      image: "registry.bpi.dev/web-api:v2.1.0",
      replicas: 3,
      resources: { cpu_millis: 1000, memory_mb: 2048, storage_gb: 10 },
      cage: { determinism: true },
      ports: [{ container_port: 8080 }],
      wallet_authentication: true,
      load_balancing_algorithm: "consistent_hashing",
      health_check: { http_path: "/health", interval_s: 10 },
      autoScaling: { enabled: true, minReplicas: 2, maxReplicas: 10, targetCPU: 70 },
    });
  });

  it("refuses quantum_crypto in a cluster without it, by path with line and column", () => {
    const r = compileBody(seed, { cluster: "c1" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const line = seed.split("\n").findIndex((l) => l.includes("quantum_crypto")) + 1;
    expect(r.issues).toEqual([expect.objectContaining({ path: "spec.security.quantum_crypto", line, column: 5 })]);
  });

  it("refuses values ENC cannot honour and unknown fields, each by its path", () => {
    const doc = seed
      .replace("syscall_filtering: true", "syscall_filtering: false")
      .replace('protocol: "TCP"', 'protocol: "UDP"')
      .replace("tls: true", "tls: false")
      .replace("    replicas: 3", "    replicas: 3\n    privileged: true");
    const r = compileBody(doc, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(["spec.service.privileged"]);
    const r2 = compileBody(doc.replace("    privileged: true\n", ""), ctx);
    if (r2.ok) throw new Error("accepted");
    expect(r2.issues.map((i) => i.path).sort()).toEqual(["spec.network.ingress.tls", "spec.network.ports.0.protocol", "spec.security.syscall_filtering"]);
    expect(r2.issues.every((i) => typeof i.line === "number" && typeof i.column === "number")).toBe(true);
  });
});

describe("ComposeCue", () => {
  const normalized = `services:
  db:
    command: [sh, -c, sleep 1000]
    deploy:
      replicas: 1
      resources:
        limits:
          cpus: 0.25
          memory: 64M
    environment:
      TIER: back
    healthcheck:
      interval: 2s
      retries: 3
      test: [CMD, "true"]
    image: oci:/tmp/busybox-oci:latest
  web:
    command: [-f, -p, $$PORT]
    depends_on:
      db:
        condition: service_healthy
    deploy:
      replicas: 2
    entrypoint: [httpd]
    environment:
      GREETING: hello $$USER
    image: oci:/tmp/busybox-oci:latest
    labels:
      com.example.tier: front
    ports:
    - target: 8080
version: '3.8'
`;

  it("maps services to <project>-<service> workloads in depends_on waves", () => {
    const r = compileBody(normalized, { cluster: "c1", name: "shop" });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const a = r.units[0].agreement;
    expect(a.order).toEqual([["shop-db"], ["shop-web"]]);
    expect(a.labels).toEqual({ "shop-web": { "com.example.tier": "front" } });
    const [db, web] = a.workloads;
    expect(db).toMatchObject({ name: "shop-db", command: ["sh", "-c", "sleep 1000"], env: { TIER: "back" }, resources: { cpu_millis: 250, memory_mb: 62 }, health_check: { command: ["true"], interval_s: 2, threshold: 3 } });
    // `$$` is Compose's literal `$` (docker-compose config keeps it escaped)
    expect(web).toMatchObject({ name: "shop-web", command: ["httpd", "-f", "-p", "$PORT"], replicas: 2, env: { GREETING: "hello $USER" }, ports: [{ container_port: 8080 }] });
  });

  it("needs a name, refuses host ports, volumes and cycles by path", () => {
    expect(compileBody(normalized, { cluster: "c1" })).toMatchObject({ ok: false, issues: [{ path: "name" }] });
    const r = compileBody(normalized.replace("    - target: 8080", "    - target: 8080\n      published: 80").replace("    image: oci:/tmp/busybox-oci:latest\n  web:", "    image: oci:/tmp/busybox-oci:latest\n    volumes: [/data:/data]\n  web:"), { cluster: "c1", name: "shop" });
    if (r.ok) throw new Error("accepted");
    expect(r.issues.map((i) => i.path)).toEqual(["services.db.volumes"]);
    const withHostPort = normalized.replace("    - target: 8080", "    - target: 8080\n      published: 80");
    const r2 = compileBody(withHostPort, { cluster: "c1", name: "shop" });
    if (r2.ok) throw new Error("accepted");
    const line = withHostPort.split("\n").findIndex((l) => l.includes("published")) + 1;
    expect(r2.issues[0]).toMatchObject({ path: "services.web.ports.0.published", line, column: 7 });
    const cyc = compileBody(normalized.replace("    healthcheck:", "    depends_on: [web]\n    healthcheck:"), { cluster: "c1", name: "shop" });
    if (cyc.ok) throw new Error("accepted");
    expect(cyc.issues[0].message).toMatch(/cycle/);
  });
});

describe("CueTree (ServiceTree)", () => {
  const tree = `apiVersion: cue.bpi.dev/v1
kind: ServiceTree
metadata:
  name: stack
spec:
  services:
    - name: api
      image: oci:/tmp/b:latest
      dependencies: [db, cache]
      replicas: 2
    - name: db
      image: oci:/tmp/b:latest
    - name: cache
      image: oci:/tmp/b:latest
      dependencies: [db]
`;
  it("orders services in waves by their dependencies", () => {
    const r = compileBody(tree, ctx);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.units[0].agreement.order).toEqual([["db"], ["cache"], ["api"]]);
    expect(r.units[0].agreement.workloads.map((w) => [w.name, w.replicas])).toEqual([["api", 2], ["db", 1], ["cache", 1]]);
  });
  it("refuses an unknown dependency by path", () => {
    const r = compileBody(tree.replace("[db, cache]", "[db, queue]"), ctx);
    expect(r).toMatchObject({ ok: false, issues: [{ path: "spec.services.0.dependencies.1", line: 9 }] });
  });
  it("waves: a cycle is named", () => {
    expect(dependencyWaves({ a: ["b"], b: ["a"], c: [] })).toEqual({ ok: false, cycle: ["a", "b", "a"] });
  });
});

describe("multi-document bodies", () => {
  it("compiles each document as its own agreement, in body order", () => {
    const r = compileBody(`${seed}\n---\nname: solo\nimage: oci:/tmp/x:latest\n`, ctx);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.units.map((u) => [u.agreement.name, u.agreement.type])).toEqual([["secure-web-service", "cue-yaml"], ["solo", "docklock"]]);
  });
  it("with --type, a document of another format is refused", () => {
    const r = compileBody("name: solo\nimage: oci:/tmp/x:latest\n", ctx, "compose");
    expect(r).toMatchObject({ ok: false, issues: [{ message: "this document is not a compose agreement" }] });
  });
});
