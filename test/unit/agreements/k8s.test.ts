/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Validator } from "@cfworker/json-schema";
import { compileKubernetes } from "../../../domain/agreements/formats/k8s.ts";
import { workloadToKubernetes } from "../../../protocol/k8s-export.ts";
import { WorkloadSpec } from "../../../protocol/api/workload.ts";
import { compileBody } from "../../../domain/agreements/compile.ts";
import web from "../../fixtures/k8s/web.yaml?raw";
import job from "../../fixtures/k8s/job.yaml?raw";
import statefulset from "../../fixtures/k8s/statefulset.yaml?raw";
import refused from "../../fixtures/k8s/refused.yaml?raw";
import schema from "../../fixtures/k8s/kubernetes-v1.14-schema.json";

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as unknown);
const compile = (text: string) => compileKubernetes(docs(text));

/** Validates an object against the Kubernetes schema of its apiVersion/kind. */
function k8sErrors(o: { apiVersion: string; kind: string }): string[] {
  const root = (schema.roots as Record<string, string>)[`${o.apiVersion}/${o.kind}`];
  if (!root) return [`no schema for ${o.apiVersion}/${o.kind}`];
  const v = new Validator({ $ref: `#/definitions/${root}`, definitions: schema.definitions } as never, "7", false);
  const r = v.validate(o);
  return r.errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

describe("Kubernetes import", () => {
  it("reads kubectl's Deployment, Service and ConfigMap: replicas, ports, env and limits", () => {
    const r = compile(web);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.workloads).toHaveLength(1);
    const w = r.value.workloads[0]!;
    expect(w).toMatchObject({
      name: "web", image: "registry.example/web:1", replicas: 3, restart: "always",
      env: { GREETING: "hello", MODE: "prod" }, ports: [{ container_port: 8080 }],
      resources: { cpu_millis: 500, memory_mb: 256 }, cage: { network: "none" },
    });
    expect(r.value.objects).toEqual(expect.arrayContaining([{ kind: "Service", name: "web", workload: "web" }, { kind: "ConfigMap", name: "web-env" }]));
    // every object kubectl wrote is valid Kubernetes too (the schema accepts what kubectl writes)
    for (const d of docs(web)) expect(k8sErrors(d as never)).toEqual([]);
  });

  it("reads a Job as a run-to-completion workload", () => {
    const r = compile(job);
    expect(r.ok && r.value.workloads[0]).toMatchObject({ name: "batch", restart: "never", replicas: 1, command: ["/bin/sh", "-c", "echo hi"] });
  });

  it("reads a StatefulSet with ConfigMap env, a named-port probe, quantities and a nodeSelector, and a Pod", () => {
    const r = compile(statefulset);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const [db, pod] = r.value.workloads;
    expect(db).toMatchObject({
      name: "db", replicas: 2, restart: "always", command: ["/bin/server", "--verbose"],
      env: { GREETING: "hola", LEVEL: "debug", LOG_LEVEL: "debug" },
      resources: { cpu_millis: 1000, memory_mb: 1024, storage_gb: 2 },
      health_check: { http_path: "/ready", interval_s: 7, threshold: 4 },
      constraints: { labels: { disk: "ssd" } },
    });
    expect(pod).toMatchObject({ name: "pod1", replicas: 1, restart: "never", command: ["/bin/env", "sleep", "100"], env: { A: "1" } });
  });

  it("refuses what ENC cannot honour, naming each path", () => {
    const r = compile(refused);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining([
      "spec.template.spec.hostNetwork", "spec.template.spec.volumes.0.hostPath",
      "spec.template.spec.containers.0.securityContext.privileged", "spec.template.spec.containers.1",
    ]));
    expect(r.issues.every((i) => i.doc === 0)).toBe(true);
  });

  it("refuses unknown fields and kinds by path, across documents", () => {
    const r = compileKubernetes([
      { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "x" } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "p", image: "registry.example/p:1", stdin: true, ports: [{ containerPort: 53, protocol: "UDP" }] }], hostPID: true } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { selector: { app: "none" }, ports: [{ port: 80, nodePort: 30080 }] } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "q" }, spec: { containers: [{ name: "q", image: "registry.example/q:1", env: [{ name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }], resources: { limits: { "nvidia.com/gpu": 1, cpu: "lots" } } }] } },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const where = r.issues.map((i) => `${i.doc}:${i.path}`);
    expect(where).toEqual(expect.arrayContaining([
      "0:kind", "1:spec.containers.0.stdin", "1:spec.containers.0.ports.0.protocol", "1:spec.hostPID",
      "2:spec.selector", "2:spec.ports.0.nodePort", "3:spec.containers.0.env.0.valueFrom.secretKeyRef",
      "3:spec.containers.0.resources.limits.nvidia.com/gpu", "3:spec.containers.0.resources.limits.cpu",
    ]));
  });

  it("accepts the harmless fields kubectl and the API server write", () => {
    const r = compileKubernetes([{
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { name: "h", namespace: "default", creationTimestamp: null, uid: "u", resourceVersion: "1", generation: 2, annotations: { note: "x" } },
      spec: { selector: { matchLabels: { a: "h" } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }, replicas: 4,
        template: { metadata: { labels: { a: "h" }, creationTimestamp: null }, spec: { terminationGracePeriodSeconds: 30, dnsPolicy: "ClusterFirst", containers: [{ name: "h", image: "registry.example/h:1", imagePullPolicy: "IfNotPresent", resources: {} }] } } },
      status: { replicas: 4, conditions: [] },
    }]);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.workloads[0]!.rollout).toEqual({ max_surge: 1, max_unavailable: 1, progress_deadline_s: 600 });
  });
});

describe("-o k8s export", () => {
  const specs: WorkloadSpec[] = [
    WorkloadSpec.parse({ name: "web", image: "registry.example/web:1", replicas: 3, restart: "always", env: { B: "2", A: "1" }, ports: [{ container_port: 8080 }, { container_port: 9090 }],
      resources: { cpu_millis: 500, memory_mb: 256, storage_gb: 1.5, pids: 512 }, cage: { network: "host" }, health_check: { http_path: "/healthz", interval_s: 2, threshold: 5 },
      rollout: { max_surge: 2, max_unavailable: 1, progress_deadline_s: 90 }, constraints: { labels: { disk: "ssd" }, zone: ["a", "b"], nodes: ["bpi1" + "q".repeat(58)] }, secondaries: 1,
      autoScaling: { minReplicas: 1, maxReplicas: 4, targetCPU: 60 }, wallet_authentication: true, load_balancing_algorithm: "least_connections" }),
    WorkloadSpec.parse({ name: "job", image: "oci:/tmp/img:latest", command: ["/bin/sh", "-c", "date"], replicas: 2, cage: { determinism: true, seed: "s1", output_dir: "/out" } }),
    WorkloadSpec.parse({ name: "retry", image: "registry.example/r:1", restart: "on-failure", init: false, health_check: { command: ["true"] } }),
  ];

  for (const spec of specs) {
    it(`exports ${spec.name} as valid Kubernetes objects that re-import to the same workload`, () => {
      const objects = workloadToKubernetes(spec);
      for (const o of objects) expect(k8sErrors(o as never), JSON.stringify(o)).toEqual([]);
      const back = compileKubernetes(objects);
      if (!back.ok) throw new Error(JSON.stringify(back.issues));
      expect(back.value.workloads).toEqual([spec]);
    });
  }

  it("a Deployment for restart always, a Job otherwise, a Service for ports", () => {
    expect(workloadToKubernetes(specs[0]!).map((o) => o.kind)).toEqual(["Deployment", "Service"]);
    expect(workloadToKubernetes(specs[1]!).map((o) => o.kind)).toEqual(["Job"]);
  });

  it("the schema catches what Kubernetes would refuse", () => {
    const [dep] = workloadToKubernetes(specs[0]!) as { spec: { template: { spec: Record<string, unknown> } } }[];
    dep!.spec.template.spec.hostNetworks = true;
    expect(k8sErrors(dep as never).join()).toMatch(/hostNetworks/);
    expect(k8sErrors({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { template: {} } } as never).join()).toMatch(/selector/);
  });
});

describe("k8s in the agreement engine", () => {
  it("detects the format, groups each workload with its Service and ConfigMaps, and names it after the workload", () => {
    const r = compileBody(`${statefulset}\n---\n${job}`, { cluster: "c" });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.units.map((u) => [u.agreement.type, u.agreement.name, u.agreement.workloads.map((w) => w.name), u.documents.length])).toEqual([
      ["k8s", "db", ["db"], 2], ["k8s", "pod1", ["pod1"], 1], ["k8s", "batch", ["batch"], 1],
    ]);
  });

  it("locates a refused field by line and column", () => {
    const r = compileBody(refused, { cluster: "c" }, "k8s");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.find((i) => i.path === "spec.template.spec.volumes.0.hostPath")).toMatchObject({ line: 31, column: 9, document: 0 });
    expect(r.issues.find((i) => i.path === "spec.template.spec.hostNetwork")).toMatchObject({ line: 20, column: 7 });
  });
});
