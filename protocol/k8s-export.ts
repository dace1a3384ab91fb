// WorkloadSpec -> Kubernetes objects (`enc get … -o k8s`). A workload that restarts always is a
// Deployment, one that runs to completion a Job; ports add a Service (the gateway's mapping).
// What Kubernetes has no field for (the cage, standbys, autoscaling, pids, wallet auth, …) rides
// in one annotation, so the objects re-import to the very same WorkloadSpec.
// In protocol/ because both sides use it: the CLI renders `enc get … -o k8s` with it, and the
// k8s format (domain/agreements/formats/k8s.ts) reads the annotation it writes.
import { WorkloadSpec } from "./api/workload.ts";

/** ENC-only fields of a workload that Kubernetes has no field for, as JSON in this annotation. */
export const EXTENSIONS_ANNOTATION = "enc.bpi.dev/workload";

/** Keys of WorkloadSpec that the Kubernetes objects express themselves (never in the annotation). */
export const NATIVE_KEYS = ["name", "image", "command", "env", "replicas", "ports", "restart", "health_check"] as const;

/** Storage as a quantity that reads back to the same GiB: Gi when whole, else Mi, else bytes. */
export function storageQuantity(gb: number): string {
  if (Number.isInteger(gb)) return `${gb}Gi`;
  const mi = gb * 1024;
  if (Number.isInteger(mi)) return `${mi}Mi`;
  return String(Math.round(gb * 2 ** 30));
}

type Obj = Record<string, unknown>;

/** What import produces for a manifest that does not say: omitted from the annotation. */
const IMPORT_DEFAULTS: Partial<WorkloadSpec> = (() => {
  const d = WorkloadSpec.parse({ name: "x", image: "oci:x" }) as Partial<WorkloadSpec>;
  for (const k of NATIVE_KEYS) delete d[k];
  return d;
})();

const same = (a: unknown, b: unknown) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Obj)[k])]));
  return v;
}

/** The ENC-only part of `spec`: fields whose values import would not otherwise produce. */
function extensions(spec: WorkloadSpec): Obj {
  const ext: Obj = {};
  for (const [k, v] of Object.entries(spec)) {
    if ((NATIVE_KEYS as readonly string[]).includes(k) || v === undefined) continue;
    if (k === "resources") {
      // cpu, memory and storage are Kubernetes resources; pids is not.
      if (spec.resources.pids !== IMPORT_DEFAULTS.resources!.pids) ext.resources = { pids: spec.resources.pids };
      continue;
    }
    if (k === "constraints") {
      const { labels: _labels, ...rest } = spec.constraints ?? {};
      if (Object.keys(rest).length) ext.constraints = rest;
      continue;
    }
    if (k === "rollout" && spec.restart === "always") continue; // the Deployment's strategy
    if (!same(v, (IMPORT_DEFAULTS as Obj)[k])) ext[k] = v;
  }
  return ext;
}

function containerOf(spec: WorkloadSpec): Obj {
  const c: Obj = { name: spec.name, image: spec.image };
  if (spec.command) c.command = spec.command;
  const env = Object.keys(spec.env).sort().map((name) => ({ name, value: spec.env[name] }));
  if (env.length) c.env = env;
  if (spec.ports.length) c.ports = spec.ports.map((p) => ({ containerPort: p.container_port, protocol: "TCP" }));
  const amounts: Obj = { cpu: `${spec.resources.cpu_millis}m`, memory: `${spec.resources.memory_mb}Mi` };
  if (spec.resources.storage_gb) amounts["ephemeral-storage"] = storageQuantity(spec.resources.storage_gb);
  // ENC reserves and enforces one amount: request and limit are the same.
  c.resources = { limits: amounts, requests: { ...amounts } };
  const h = spec.health_check;
  if (h) {
    const action = h.http_path !== undefined ? { httpGet: { path: h.http_path, port: spec.ports[0]?.container_port ?? 80 } } : { exec: { command: h.command } };
    c.readinessProbe = { ...action, periodSeconds: h.interval_s, failureThreshold: h.threshold };
  }
  return c;
}

/** The Kubernetes objects for one workload, in apply order (Deployment or Job, then Service). */
export function workloadToKubernetes(input: WorkloadSpec): Obj[] {
  const spec = WorkloadSpec.parse(input);
  const labels = { app: spec.name };
  const ext = extensions(spec);
  const metadata: Obj = { name: spec.name, labels };
  if (Object.keys(ext).length) metadata.annotations = { [EXTENSIONS_ANNOTATION]: JSON.stringify(canon(ext)) };
  const podSpec: Obj = { containers: [containerOf(spec)] };
  if (spec.constraints?.labels && Object.keys(spec.constraints.labels).length) podSpec.nodeSelector = spec.constraints.labels;
  const template = { metadata: { labels }, spec: podSpec };
  const out: Obj[] = [];
  if (spec.restart === "always") {
    podSpec.restartPolicy = "Always";
    const deployment: Obj = { replicas: spec.replicas, selector: { matchLabels: labels }, template };
    if (spec.rollout) {
      deployment.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: spec.rollout.max_surge, maxUnavailable: spec.rollout.max_unavailable } };
      deployment.progressDeadlineSeconds = spec.rollout.progress_deadline_s;
    }
    out.push({ apiVersion: "apps/v1", kind: "Deployment", metadata, spec: deployment });
  } else {
    podSpec.restartPolicy = spec.restart === "on-failure" ? "OnFailure" : "Never";
    out.push({ apiVersion: "batch/v1", kind: "Job", metadata, spec: { parallelism: spec.replicas, completions: spec.replicas, template } });
  }
  if (spec.ports.length) {
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: spec.name, labels },
      spec: {
        type: "ClusterIP",
        selector: labels,
        ports: spec.ports.map((p) => ({ name: `port-${p.container_port}`, port: p.container_port, targetPort: p.container_port, protocol: "TCP" })),
      },
    });
  }
  return out;
}
