// Kubernetes manifests -> ENC workloads. Reads the objects `kubectl create … --dry-run=client -o
// yaml` writes (apps/v1 Deployment and StatefulSet, batch/v1 Job, v1 Pod, Service, ConfigMap) as
// one set: a Service finds its workload by selector, env finds its ConfigMap by name. Every field
// is either mapped onto WorkloadSpec, known to be harmless (server-written metadata, status,
// defaults ENC already has), or refused naming its path: nothing is dropped silently.
import { WorkloadSpec } from "../../../protocol/api/workload.ts";
import { EXTENSIONS_ANNOTATION, NATIVE_KEYS } from "../../../protocol/k8s-export.ts";
import { cpuMillis, memoryMiB, storageGiB } from "../k8s-quantity.ts";
import { compiled, refused, type AgreementFormat, type Compiled, type CompiledAgreement, type SourceDocument } from "../types.ts";

export interface K8sIssue {
  /** index of the document in the set */
  doc: number;
  /** the field, as `spec.template.spec.volumes.0.hostPath` */
  path: string;
  message: string;
}

export interface K8sCompiled {
  workloads: WorkloadSpec[];
  /** the Service and ConfigMap objects, by kind/name, that fed a workload (for listing) */
  objects: { kind: string; name: string; workload?: string }[];
}

export { EXTENSIONS_ANNOTATION, NATIVE_KEYS };

export const K8S_KINDS: Record<string, string> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  Job: "batch/v1",
  Pod: "v1",
  Service: "v1",
  ConfigMap: "v1",
};

/** True for a document this format reads (apiVersion and kind of a supported Kubernetes kind). */
export function isKubernetesDoc(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  const kind = doc.kind;
  return typeof kind === "string" && K8S_KINDS[kind] !== undefined && doc.apiVersion === K8S_KINDS[kind];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Issues {
  readonly list: K8sIssue[] = [];
  constructor(public doc = 0) {}
  add(path: string, message: string): void {
    this.list.push({ doc: this.doc, path, message });
  }
}

/** Dotted paths, sequence indexes as numbers (`spec.template.spec.volumes.0.hostPath`), as the engine locates them. */
const join = (base: string, key: string | number) => (base ? `${base}.${key}` : String(key));

/**
 * Checks the keys of `o` at `path`: known keys are returned for mapping, `ignore` keys are
 * accepted as they are (harmless), anything else is refused with a reason.
 */
function keysOf(o: Obj, path: string, issues: Issues, known: string[], harmless: string[] = [], why = "ENC has no equivalent"): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k) || harmless.includes(k)) continue;
    issues.add(join(path, k), `${k} is not supported: ${why}`);
  }
}

function obj(v: unknown, path: string, issues: Issues): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    issues.add(path, "must be a mapping");
    return {};
  }
  return v;
}

function arr(v: unknown, path: string, issues: Issues): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    issues.add(path, "must be a list");
    return [];
  }
  return v;
}

function str(v: unknown, path: string, issues: Issues): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    issues.add(path, "must be a string");
    return undefined;
  }
  return v;
}

function int(v: unknown, path: string, issues: Issues, min = 0): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    issues.add(path, `must be an integer ≥ ${min}`);
    return undefined;
  }
  return v;
}

/** A field that is fine only at its default (hostNetwork: false); any other value is refused. */
function onlyDefault(o: Obj, key: string, def: unknown, path: string, issues: Issues, why: string): void {
  if (o[key] !== undefined && o[key] !== null && o[key] !== def) issues.add(join(path, key), why);
}

function stringMap(v: unknown, path: string, issues: Issues): Record<string, string> {
  const o = obj(v, path, issues);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (typeof val === "string") out[k] = val;
    else issues.add(join(path, k), "must be a string");
  }
  return out;
}

const METADATA_KNOWN = ["name", "namespace", "labels", "annotations"];
/** Written by kubectl or the API server; they say nothing about what should run. */
const METADATA_HARMLESS = ["creationTimestamp", "uid", "resourceVersion", "generation", "managedFields", "selfLink"];

interface Meta {
  name?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function metadata(v: unknown, path: string, issues: Issues, nameRequired: boolean): Meta {
  const m = obj(v, path, issues);
  keysOf(m, path, issues, METADATA_KNOWN, METADATA_HARMLESS, "ENC has no equivalent (owner references, finalizers and generated names are the API server's)");
  const name = str(m.name, join(path, "name"), issues);
  if (nameRequired && name === undefined) issues.add(join(path, "name"), "is required");
  const ns = str(m.namespace, join(path, "namespace"), issues);
  // A cluster is ENC's only scope: another namespace would silently land in the same one.
  if (ns !== undefined && ns !== "default") issues.add(join(path, "namespace"), `namespace ${ns} is not supported: an ENC cluster has one namespace, "default"`);
  return { name, labels: stringMap(m.labels, join(path, "labels"), issues), annotations: stringMap(m.annotations, join(path, "annotations"), issues) };
}

interface ConfigMaps {
  get(name: string): Record<string, string> | undefined;
}

const PROBE_KNOWN = ["httpGet", "exec", "periodSeconds", "failureThreshold"];
/** Timing fields of a probe ENC's health check has no knob for, accepted at Kubernetes' defaults. */
const PROBE_DEFAULTS: Record<string, number> = { initialDelaySeconds: 0, timeoutSeconds: 1, successThreshold: 1 };

type Health = NonNullable<WorkloadSpec["health_check"]>;

function probe(v: unknown, path: string, issues: Issues, ports: number[], portNames: Map<string, number>): Health | undefined {
  const p = obj(v, path, issues);
  keysOf(p, path, issues, [...PROBE_KNOWN, ...Object.keys(PROBE_DEFAULTS)], [], "ENC health checks are an HTTP GET on the first port or a command");
  for (const [k, def] of Object.entries(PROBE_DEFAULTS)) onlyDefault(p, k, def, path, issues, `${k} other than ${def} is not supported: ENC's health check has no such setting`);
  const interval_s = int(p.periodSeconds, join(path, "periodSeconds"), issues, 1);
  const threshold = int(p.failureThreshold, join(path, "failureThreshold"), issues, 1);
  const timing = { ...(interval_s !== undefined ? { interval_s } : { interval_s: 10 }), ...(threshold !== undefined ? { threshold } : { threshold: 3 }) };
  if (p.httpGet !== undefined) {
    const hp = join(path, "httpGet");
    const g = obj(p.httpGet, hp, issues);
    keysOf(g, hp, issues, ["path", "port", "scheme"], [], "ENC's HTTP check is a plain GET");
    if (g.scheme !== undefined && g.scheme !== "HTTP") issues.add(join(hp, "scheme"), "only HTTP is supported");
    const port = typeof g.port === "string" ? portNames.get(g.port) ?? Number(g.port) : g.port;
    // The agent probes the replica's first port: a probe on another port would test something else.
    if (port !== ports[0]) issues.add(join(hp, "port"), `ENC checks the first container port (${ports[0] ?? "none declared"})`);
    const httpPath = str(g.path, join(hp, "path"), issues) ?? "/";
    return { http_path: httpPath, ...timing };
  }
  if (p.exec !== undefined) {
    const ep = join(path, "exec");
    const e = obj(p.exec, ep, issues);
    keysOf(e, ep, issues, ["command"]);
    const command = arr(e.command, join(ep, "command"), issues).map((c, i) => str(c, join(join(ep, "command"), i), issues) ?? "");
    if (command.length === 0) issues.add(join(ep, "command"), "is required");
    return { command, ...timing };
  }
  if (p.tcpSocket === undefined && p.grpc === undefined) issues.add(path, "a probe needs httpGet or exec");
  return undefined;
}

const CONTAINER_KNOWN = ["name", "image", "command", "args", "env", "envFrom", "ports", "resources", "readinessProbe", "livenessProbe", "securityContext"];
/** Harmless: how the kubelet pulls or reports, not what runs. */
const CONTAINER_HARMLESS = ["imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy"];

interface ContainerOut {
  image?: string;
  command?: string[];
  env: Record<string, string>;
  ports: number[];
  resources: Partial<WorkloadSpec["resources"]>;
  health?: Health;
}

function container(v: unknown, path: string, issues: Issues, configMaps: ConfigMaps): ContainerOut {
  const c = obj(v, path, issues);
  keysOf(c, path, issues, CONTAINER_KNOWN, CONTAINER_HARMLESS);
  const image = str(c.image, join(path, "image"), issues);
  if (image === undefined) issues.add(join(path, "image"), "is required");
  const strings = (key: string) => arr(c[key], join(path, key), issues).map((s, i) => str(s, join(join(path, key), i), issues) ?? "");
  const command = strings("command");
  const args = strings("args");
  // ENC's command replaces the image's entrypoint and arguments together; args alone would need the
  // image's entrypoint, which only the node sees.
  if (args.length > 0 && command.length === 0) issues.add(join(path, "args"), "args without command is not supported: give the full command");
  const env: Record<string, string> = {};
  arr(c.envFrom, join(path, "envFrom"), issues).forEach((e, i) => {
    const ep = join(join(path, "envFrom"), i);
    const o = obj(e, ep, issues);
    keysOf(o, ep, issues, ["configMapRef", "prefix"], [], "only ConfigMaps are supported (secrets are not part of an agreement)");
    if (o.configMapRef === undefined) return;
    const ref = obj(o.configMapRef, join(ep, "configMapRef"), issues);
    keysOf(ref, join(ep, "configMapRef"), issues, ["name", "optional"]);
    const name = str(ref.name, join(join(ep, "configMapRef"), "name"), issues) ?? "";
    const data = configMaps.get(name);
    if (!data) {
      if (ref.optional !== true) issues.add(join(join(ep, "configMapRef"), "name"), `no ConfigMap ${name} in this agreement`);
      return;
    }
    const prefix = str(o.prefix, join(ep, "prefix"), issues) ?? "";
    for (const [k, val] of Object.entries(data)) env[prefix + k] = val;
  });
  arr(c.env, join(path, "env"), issues).forEach((e, i) => {
    const ep = join(join(path, "env"), i);
    const o = obj(e, ep, issues);
    keysOf(o, ep, issues, ["name", "value", "valueFrom"]);
    const name = str(o.name, join(ep, "name"), issues);
    if (name === undefined) return issues.add(join(ep, "name"), "is required");
    if (o.valueFrom !== undefined) {
      const vf = obj(o.valueFrom, join(ep, "valueFrom"), issues);
      keysOf(vf, join(ep, "valueFrom"), issues, ["configMapKeyRef"], [], "only configMapKeyRef is supported (no secrets, fields or resources)");
      if (vf.configMapKeyRef === undefined) return;
      const rp = join(join(ep, "valueFrom"), "configMapKeyRef");
      const ref = obj(vf.configMapKeyRef, rp, issues);
      keysOf(ref, rp, issues, ["name", "key", "optional"]);
      const cm = configMaps.get(str(ref.name, join(rp, "name"), issues) ?? "");
      const key = str(ref.key, join(rp, "key"), issues) ?? "";
      if (cm?.[key] !== undefined) env[name] = cm[key];
      else if (ref.optional !== true) issues.add(cm ? join(rp, "key") : join(rp, "name"), cm ? `ConfigMap ${String(ref.name)} has no key ${key}` : `no ConfigMap ${String(ref.name)} in this agreement`);
      return;
    }
    env[name] = str(o.value, join(ep, "value"), issues) ?? "";
  });
  const ports: number[] = [];
  const portNames = new Map<string, number>();
  arr(c.ports, join(path, "ports"), issues).forEach((p, i) => {
    const pp = join(join(path, "ports"), i);
    const o = obj(p, pp, issues);
    keysOf(o, pp, issues, ["containerPort", "name", "protocol"], [], "ENC gives each replica its own host port behind the gateway (no hostPort or hostIP)");
    if (o.protocol !== undefined && o.protocol !== "TCP") issues.add(join(pp, "protocol"), "only TCP is supported");
    const n = int(o.containerPort, join(pp, "containerPort"), issues, 1);
    if (n === undefined) return;
    ports.push(n);
    if (typeof o.name === "string") portNames.set(o.name, n);
  });
  const resources: ContainerOut["resources"] = {};
  if (c.resources !== undefined) {
    const rp = join(path, "resources");
    const r = obj(c.resources, rp, issues);
    keysOf(r, rp, issues, ["limits", "requests"]);
    // ENC reserves and enforces one amount: the limit when given, else the request.
    for (const kind of ["requests", "limits"] as const) {
      const kp = join(rp, kind);
      const q = obj(r[kind], kp, issues);
      keysOf(q, kp, issues, ["cpu", "memory", "ephemeral-storage"], [], "ENC schedules cpu, memory and storage only");
      const read = (key: string, fn: (x: unknown) => number | undefined) => {
        if (q[key] === undefined) return undefined;
        const val = fn(q[key]);
        if (val === undefined) issues.add(join(kp, key), `${String(q[key])} is not a Kubernetes quantity`);
        return val;
      };
      const cpu = read("cpu", cpuMillis);
      const mem = read("memory", memoryMiB);
      const sto = read("ephemeral-storage", storageGiB);
      if (cpu !== undefined) resources.cpu_millis = cpu;
      if (mem !== undefined) resources.memory_mb = mem;
      if (sto !== undefined) resources.storage_gb = sto;
    }
  }
  const readiness = c.readinessProbe !== undefined ? probe(c.readinessProbe, join(path, "readinessProbe"), issues, ports, portNames) : undefined;
  const liveness = c.livenessProbe !== undefined ? probe(c.livenessProbe, join(path, "livenessProbe"), issues, ports, portNames) : undefined;
  if (readiness && liveness && JSON.stringify(readiness) !== JSON.stringify(liveness))
    issues.add(join(path, "livenessProbe"), "ENC has one health check: a liveness probe must equal the readiness probe");
  const health = readiness ?? liveness;
  if (c.securityContext !== undefined) {
    const sp = join(path, "securityContext");
    const s = obj(c.securityContext, sp, issues);
    // The cage already drops privileges; these are accepted only where they ask for no more.
    keysOf(s, sp, issues, ["privileged", "allowPrivilegeEscalation"], [], "the cage fixes users, capabilities and seccomp itself");
    onlyDefault(s, "privileged", false, sp, issues, "privileged containers are not supported: the cage never grants host privileges");
    onlyDefault(s, "allowPrivilegeEscalation", false, sp, issues, "the cage sets no_new_privileges: privilege escalation cannot be allowed");
  }
  return { image, command: command.length ? [...command, ...args] : undefined, env, ports, resources, health };
}

const POD_KNOWN = ["containers", "volumes", "restartPolicy", "nodeSelector", "hostNetwork", "hostPID", "hostIPC"];
/** Pod-level fields ENC decides itself, accepted at the values Kubernetes defaults them to. */
const POD_DEFAULTS: Record<string, unknown> = { dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler", terminationGracePeriodSeconds: 30 };

interface PodOut extends ContainerOut {
  restartPolicy?: string;
  nodeSelector?: Record<string, string>;
}

function podSpec(v: unknown, path: string, issues: Issues, configMaps: ConfigMaps): PodOut {
  const s = obj(v, path, issues);
  keysOf(s, path, issues, [...POD_KNOWN, ...Object.keys(POD_DEFAULTS)], [], "ENC has no equivalent");
  for (const [k, def] of Object.entries(POD_DEFAULTS)) onlyDefault(s, k, def, path, issues, `${k} other than ${String(def)} is not supported`);
  onlyDefault(s, "hostNetwork", false, path, issues, "hostNetwork is not supported: a replica gets its own ports, never the host's network namespace");
  onlyDefault(s, "hostPID", false, path, issues, "hostPID is not supported: the cage always has its own PID namespace");
  onlyDefault(s, "hostIPC", false, path, issues, "hostIPC is not supported: the cage always has its own IPC namespace");
  // `volumes` is refused per volume and source, so the message names e.g. volumes.0.hostPath.
  if (s.volumes !== undefined) {
    arr(s.volumes, join(path, "volumes"), issues).forEach((vol, i) => {
      const vp = join(join(path, "volumes"), i);
      const sources = Object.keys(obj(vol, vp, issues)).filter((k) => k !== "name");
      for (const k of sources.length ? sources : ["name"]) issues.add(join(vp, k), `${k} volumes are not supported: an ENC container has only its image's root and its output directory`);
    });
  }
  const containers = arr(s.containers, join(path, "containers"), issues);
  if (containers.length === 0) issues.add(join(path, "containers"), "one container is required");
  containers.slice(1).forEach((_, i) => issues.add(join(join(path, "containers"), i + 1), "one container per workload: ENC runs no sidecars (deploy it as its own workload)"));
  const c = container(containers[0], join(join(path, "containers"), 0), issues, configMaps);
  const nodeSelector = s.nodeSelector !== undefined ? stringMap(s.nodeSelector, join(path, "nodeSelector"), issues) : undefined;
  return { ...c, restartPolicy: str(s.restartPolicy, join(path, "restartPolicy"), issues), nodeSelector };
}

const RESTART: Record<string, WorkloadSpec["restart"]> = { Always: "always", OnFailure: "on-failure", Never: "never" };

interface Draft {
  doc: number;
  kind: string;
  spec: Record<string, unknown>;
  /** the pod template's labels, which Services select on */
  labels: Record<string, string>;
}

/** Rounds a rolling-update percentage as Kubernetes does: surge up, unavailable down. */
function intOrPercent(v: unknown, replicas: number, up: boolean, path: string, issues: Issues): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  const m = typeof v === "string" ? /^([0-9]+)%$/.exec(v) : null;
  if (!m) {
    issues.add(path, "must be an integer or a percentage");
    return undefined;
  }
  const exact = (Number(m[1]) * replicas) / 100;
  return up ? Math.ceil(exact) : Math.floor(exact);
}

function workload(o: Obj, issues: Issues, configMaps: ConfigMaps): Draft | undefined {
  const kind = o.kind as string;
  const meta = metadata(o.metadata, "metadata", issues, true);
  const s = kind === "Pod" ? {} : obj(o.spec, "spec", issues);
  const out: Record<string, unknown> = { name: meta.name };
  let pod: PodOut;
  let labels = meta.labels;
  let restartDefault = "Always";
  if (kind === "Pod") {
    pod = podSpec(o.spec, "spec", issues, configMaps);
  } else {
    const known = ["template", "selector", "replicas"];
    const tpl = obj(s.template, "spec.template", issues);
    keysOf(tpl, "spec.template", issues, ["metadata", "spec"]);
    const tmeta = metadata(tpl.metadata, "spec.template.metadata", issues, false);
    labels = tmeta.labels;
    if (kind === "Deployment") known.push("strategy", "progressDeadlineSeconds", "revisionHistoryLimit", "minReadySeconds", "paused");
    if (kind === "StatefulSet") known.push("serviceName", "podManagementPolicy", "updateStrategy", "revisionHistoryLimit");
    if (kind === "Job") {
      known.splice(0, 3, "template", "parallelism", "completions", "selector", "manualSelector");
      restartDefault = "";
    }
    keysOf(s, "spec", issues, known, [], kind === "StatefulSet" ? "ENC keeps no per-replica volumes (volumeClaimTemplates)" : "ENC has no equivalent");
    pod = podSpec(tpl.spec, "spec.template.spec", issues, configMaps);
    if (s.selector !== undefined) {
      const sel = obj(s.selector, "spec.selector", issues);
      keysOf(sel, "spec.selector", issues, ["matchLabels"], [], "only matchLabels selectors are supported");
      const ml = stringMap(sel.matchLabels, "spec.selector.matchLabels", issues);
      for (const [k, val] of Object.entries(ml)) if (labels[k] !== val) issues.add(`spec.selector.matchLabels.${k}`, "the selector must match the template's labels");
    } else if (kind !== "Job") issues.add("spec.selector", "is required");
    if (kind === "Job") {
      const parallelism = int(s.parallelism, "spec.parallelism", issues, 0) ?? 1;
      const completions = int(s.completions, "spec.completions", issues, 0);
      // ENC runs each replica once: N parallel pods completing once each is the one shape it has.
      if (completions !== undefined && completions !== parallelism) issues.add("spec.completions", "completions must equal parallelism: each ENC replica runs to completion once");
      onlyDefault(s, "manualSelector", false, "spec", issues, "manualSelector is not supported");
      out.replicas = parallelism;
    } else {
      out.replicas = int(s.replicas, "spec.replicas", issues, 0) ?? 1;
    }
    if (kind === "Deployment") {
      onlyDefault(s, "paused", false, "spec", issues, "a paused Deployment is not supported: use enc rollout pause");
      onlyDefault(s, "minReadySeconds", 0, "spec", issues, "minReadySeconds is not supported: a replica is ready when its health check passes");
      int(s.revisionHistoryLimit, "spec.revisionHistoryLimit", issues, 0); // ENC keeps every version
      const rollout: Record<string, number> = {};
      const deadline = int(s.progressDeadlineSeconds, "spec.progressDeadlineSeconds", issues, 1);
      if (deadline !== undefined) rollout.progress_deadline_s = deadline;
      const st = obj(s.strategy, "spec.strategy", issues);
      keysOf(st, "spec.strategy", issues, ["type", "rollingUpdate"]);
      const replicas = out.replicas as number;
      if (st.type === "Recreate") {
        if (st.rollingUpdate !== undefined) issues.add("spec.strategy.rollingUpdate", "not allowed with type Recreate");
        Object.assign(rollout, { max_surge: 0, max_unavailable: Math.max(replicas, 1) });
      } else if (st.type !== undefined && st.type !== "RollingUpdate") issues.add("spec.strategy.type", "must be RollingUpdate or Recreate");
      if (st.rollingUpdate !== undefined) {
        const ru = obj(st.rollingUpdate, "spec.strategy.rollingUpdate", issues);
        keysOf(ru, "spec.strategy.rollingUpdate", issues, ["maxSurge", "maxUnavailable"]);
        // Kubernetes' defaults are 25% each; ENC's own (1 surge, 0 unavailable) apply when unset.
        const surge = intOrPercent(ru.maxSurge, replicas, true, "spec.strategy.rollingUpdate.maxSurge", issues);
        const unavailable = intOrPercent(ru.maxUnavailable, replicas, false, "spec.strategy.rollingUpdate.maxUnavailable", issues);
        if (surge !== undefined) rollout.max_surge = surge;
        if (unavailable !== undefined) rollout.max_unavailable = unavailable;
      }
      if (Object.keys(rollout).length) out.rollout = rollout;
    }
    if (kind === "StatefulSet") {
      str(s.serviceName, "spec.serviceName", issues); // the governing Service: ENC names replicas itself
      if (s.podManagementPolicy !== undefined && s.podManagementPolicy !== "OrderedReady" && s.podManagementPolicy !== "Parallel")
        issues.add("spec.podManagementPolicy", "must be OrderedReady or Parallel");
      const us = obj(s.updateStrategy, "spec.updateStrategy", issues);
      keysOf(us, "spec.updateStrategy", issues, ["type"], [], "partitioned updates are not supported");
      if (us.type !== undefined && us.type !== "RollingUpdate") issues.add("spec.updateStrategy.type", "only RollingUpdate is supported");
      int(s.revisionHistoryLimit, "spec.revisionHistoryLimit", issues, 0);
    }
  }
  const restartPath = kind === "Pod" ? "spec.restartPolicy" : "spec.template.spec.restartPolicy";
  const policy = pod.restartPolicy ?? (restartDefault || undefined);
  if (kind === "Job" && policy !== "Never" && policy !== "OnFailure") issues.add(restartPath, "a Job's restartPolicy must be Never or OnFailure");
  if ((kind === "Deployment" || kind === "StatefulSet") && policy !== "Always") issues.add(restartPath, `a ${kind}'s restartPolicy must be Always`);
  if (policy !== undefined && RESTART[policy] === undefined) issues.add(restartPath, "must be Always, OnFailure or Never");
  out.restart = RESTART[policy ?? "Always"] ?? "always";
  if (kind === "Pod") out.replicas = 1;
  out.image = pod.image;
  if (pod.command) out.command = pod.command;
  out.env = pod.env;
  out.ports = pod.ports.map((container_port) => ({ container_port }));
  if (Object.keys(pod.resources).length) out.resources = pod.resources;
  if (pod.health) out.health_check = pod.health;
  if (pod.nodeSelector && Object.keys(pod.nodeSelector).length) out.constraints = { labels: pod.nodeSelector };
  // A pod's ports are served in ENC's default cage (network "none": the agent forwards them into
  // the container's own namespace), so a manifest needs no host network; only the
  // enc.bpi.dev/workload annotation can ask for it (and then needs an admin).
  applyExtensions(out, meta.annotations[EXTENSIONS_ANNOTATION], issues);
  return { doc: issues.doc, kind, spec: out, labels };
}


function applyExtensions(out: Record<string, unknown>, text: string | undefined, issues: Issues): void {
  if (text === undefined) return;
  const path = `metadata.annotations.${EXTENSIONS_ANNOTATION}`;
  let ext: unknown;
  try {
    ext = JSON.parse(text);
  } catch {
    return issues.add(path, "must be a JSON object");
  }
  if (!isObj(ext)) return issues.add(path, "must be a JSON object");
  for (const [k, v] of Object.entries(ext)) {
    if ((NATIVE_KEYS as readonly string[]).includes(k)) {
      issues.add(`${path}.${k}`, `${k} is set by the Kubernetes fields, not the annotation`);
      continue;
    }
    // Objects merge so the manifest's own parts (resources, constraints.labels) stay.
    out[k] = isObj(v) && isObj(out[k]) ? { ...(out[k] as Obj), ...v } : v;
  }
}

function service(o: Obj, issues: Issues, drafts: Draft[]): { name?: string; workload?: string } {
  const meta = metadata(o.metadata, "metadata", issues, true);
  const s = obj(o.spec, "spec", issues);
  keysOf(s, "spec", issues, ["ports", "selector", "type", "clusterIP", "sessionAffinity"], [], "the gateway is a workload's only front (no external IPs or traffic policies)");
  if (s.type !== undefined && !["ClusterIP", "NodePort", "LoadBalancer"].includes(s.type as string)) issues.add("spec.type", "must be ClusterIP, NodePort or LoadBalancer (all served by the gateway)");
  if (s.clusterIP !== undefined && s.clusterIP !== "None" && s.clusterIP !== "") issues.add("spec.clusterIP", "a fixed cluster IP is not supported: the gateway is the workload's address");
  if (s.sessionAffinity !== undefined && s.sessionAffinity !== "None") issues.add("spec.sessionAffinity", "session affinity is not supported: the gateway balances by the workload's algorithm");
  const selector = stringMap(s.selector, "spec.selector", issues);
  if (Object.keys(selector).length === 0) issues.add("spec.selector", "a Service must select a workload of this agreement");
  const matches = drafts.filter((d) => Object.entries(selector).every(([k, v]) => d.labels[k] === v));
  if (Object.keys(selector).length && matches.length !== 1)
    issues.add("spec.selector", matches.length ? `selects ${matches.length} workloads; the gateway fronts one` : "selects no workload of this agreement");
  const target = matches.length === 1 ? matches[0] : undefined;
  arr(s.ports, "spec.ports", issues).forEach((p, i) => {
    const pp = `spec.ports.${i}`;
    const po = obj(p, pp, issues);
    keysOf(po, pp, issues, ["port", "targetPort", "name", "protocol"], [], "the gateway assigns no node ports");
    if (po.protocol !== undefined && po.protocol !== "TCP") issues.add(`${pp}.protocol`, "only TCP is supported");
    const port = int(po.port, `${pp}.port`, issues, 1);
    const tp = po.targetPort ?? port;
    if (!target || tp === undefined) return;
    const ports = target.spec.ports as { container_port: number }[];
    if (typeof tp === "string") {
      if (!ports.length) issues.add(`${pp}.targetPort`, `named port ${tp} is not declared by the workload`);
      // names resolve only for the declared ports; the mapping below keeps them as they are
      return;
    }
    // A Service may target a port the container does not declare: the replica then gets it too.
    if (typeof tp === "number" && !ports.some((x) => x.container_port === tp)) ports.push({ container_port: tp });
  });
  return { name: meta.name, workload: target?.spec.name as string | undefined };
}

function configMap(o: Obj, issues: Issues): { name?: string; data: Record<string, string> } {
  const meta = metadata(o.metadata, "metadata", issues, true);
  keysOf(o, "", issues, ["apiVersion", "kind", "metadata", "data", "immutable"], [], "ConfigMaps carry string data only (no binaryData)");
  return { name: meta.name, data: stringMap(o.data, "data", issues) };
}

/**
 * Compiles a set of Kubernetes objects (the documents of one agreement) into workloads. Returns
 * every issue found, each naming its document and path; workloads only when there are none.
 */
export function compileKubernetes(docs: unknown[]): { ok: true; value: K8sCompiled } | { ok: false; issues: K8sIssue[] } {
  const issues = new Issues();
  const cms = new Map<string, Record<string, string>>();
  const objects: K8sCompiled["objects"] = [];
  docs.forEach((d, i) => {
    issues.doc = i;
    if (!isObj(d)) return issues.add("", "a Kubernetes object must be a mapping");
    if (!isKubernetesDoc(d)) {
      const kind = typeof d.kind === "string" ? d.kind : "";
      if (K8S_KINDS[kind]) issues.add("apiVersion", `${kind} must be ${K8S_KINDS[kind]}`);
      else issues.add("kind", `${kind || "(none)"} is not supported: ENC reads ${Object.keys(K8S_KINDS).join(", ")}`);
      return;
    }
    if (d.kind === "ConfigMap") {
      const cm = configMap(d, issues);
      if (cm.name !== undefined) {
        if (cms.has(cm.name)) issues.add("metadata.name", `ConfigMap ${cm.name} is defined twice`);
        cms.set(cm.name, cm.data);
        objects.push({ kind: "ConfigMap", name: cm.name });
      }
    }
  });
  const drafts: Draft[] = [];
  docs.forEach((d, i) => {
    issues.doc = i;
    if (!isKubernetesDoc(d)) return;
    const o = d as Obj;
    // Top-level keys every object may have; status is the API server's report and is ignored.
    if (o.kind !== "ConfigMap") keysOf(o, "", issues, ["apiVersion", "kind", "metadata", "spec"], ["status"]);
    if (o.kind === "Service" || o.kind === "ConfigMap") return;
    const draft = workload(o, issues, { get: (n) => cms.get(n) });
    if (draft) drafts.push(draft);
  });
  docs.forEach((d, i) => {
    issues.doc = i;
    if (!isKubernetesDoc(d) || (d as Obj).kind !== "Service") return;
    const s = service(d as Obj, issues, drafts);
    if (s.name !== undefined) objects.push({ kind: "Service", name: s.name, workload: s.workload });
  });
  const workloads: WorkloadSpec[] = [];
  const seen = new Set<string>();
  for (const dr of drafts) {
    issues.doc = dr.doc;
    const name = dr.spec.name as string | undefined;
    if (name !== undefined && seen.has(name)) issues.add("metadata.name", `two workloads are named ${name}`);
    if (name !== undefined) seen.add(name);
    const parsed = WorkloadSpec.safeParse(dr.spec);
    if (!parsed.success) {
      for (const e of parsed.error.issues) issues.add(specPath(dr.kind, e.path), e.message);
      continue;
    }
    workloads.push(parsed.data);
    objects.push({ kind: dr.kind, name: parsed.data.name, workload: parsed.data.name });
  }
  return issues.list.length ? { ok: false, issues: issues.list } : { ok: true, value: { workloads, objects } };
}

/** Where a WorkloadSpec field came from in the manifest, for messages about its value. */
function specPath(kind: string, path: PropertyKey[]): string {
  const pod = kind === "Pod" ? "spec" : "spec.template.spec";
  const c = `${pod}.containers.0`;
  const [head, ...rest] = path.map(String);
  const tail = rest.length ? "." + rest.join(".") : "";
  switch (head) {
    case "name":
      return "metadata.name";
    case "image":
      return `${c}.image`;
    case "command":
      return `${c}.command`;
    case "env":
      return `${c}.env`;
    case "ports":
      return `${c}.ports`;
    case "resources":
      return `${c}.resources`;
    case "health_check":
      return `${c}.readinessProbe`;
    case "replicas":
      return kind === "Job" ? "spec.parallelism" : "spec.replicas";
    case "constraints":
      return `${pod}.nodeSelector`;
    default:
      return `metadata.annotations.${EXTENSIONS_ANNOTATION}.${head}${tail}`;
  }
}

/** The ConfigMaps a workload object's containers name (envFrom and configMapKeyRef). */
function configMapsNamed(o: Obj): Set<string> {
  const spec = isObj(o.spec) ? o.spec : {};
  const pod = o.kind === "Pod" ? spec : isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
  const names = new Set<string>();
  for (const c of Array.isArray(pod.containers) ? pod.containers : []) {
    if (!isObj(c)) continue;
    for (const e of Array.isArray(c.envFrom) ? c.envFrom : []) if (isObj(e) && isObj(e.configMapRef) && typeof e.configMapRef.name === "string") names.add(e.configMapRef.name);
    for (const e of Array.isArray(c.env) ? c.env : [])
      if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.configMapKeyRef) && typeof e.valueFrom.configMapKeyRef.name === "string") names.add(e.valueFrom.configMapKeyRef.name);
  }
  return names;
}

function podLabels(o: Obj): Record<string, string> {
  const spec = isObj(o.spec) ? o.spec : {};
  const meta = o.kind === "Pod" ? o.metadata : isObj(spec.template) ? spec.template.metadata : undefined;
  return isObj(meta) && isObj(meta.labels) ? (meta.labels as Record<string, string>) : {};
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "Job", "Pod"]);

/**
 * One agreement per workload object, with the Services that select it and the ConfigMaps it reads
 * (a ConfigMap two workloads read belongs to both). A body with one workload is one agreement
 * whole; otherwise a Service or ConfigMap no workload claims stands alone and is refused.
 */
export function groupKubernetes(docs: readonly SourceDocument[]): number[][] {
  const objs = docs.map((d) => (isObj(d.value) ? d.value : {}));
  const workloads = docs.filter((_, i) => WORKLOAD_KINDS.has(objs[i]!.kind as string));
  if (workloads.length <= 1) return [docs.map((d) => d.index)];
  const claimed = new Set<number>();
  const groups = workloads.map((w) => {
    const o = w.value as Obj;
    const cms = configMapsNamed(o);
    const labels = podLabels(o);
    const members = docs.filter((d, i) => {
      const x = objs[i]!;
      if (d === w) return true;
      const name = isObj(x.metadata) ? x.metadata.name : undefined;
      if (x.kind === "ConfigMap") return typeof name === "string" && cms.has(name);
      if (x.kind !== "Service" || !isObj(x.spec) || !isObj(x.spec.selector)) return false;
      const sel = Object.entries(x.spec.selector);
      return sel.length > 0 && sel.every(([k, v]) => labels[k] === v);
    });
    for (const m of members) claimed.add(m.index);
    return members.map((m) => m.index);
  });
  for (const d of docs) if (!claimed.has(d.index)) groups.push([d.index]);
  return groups;
}

function compileGroup(docs: readonly SourceDocument[]): Compiled<CompiledAgreement> {
  const r = compileKubernetes(docs.map((d) => d.value));
  if (!r.ok) return refused(r.issues.map((i) => ({ path: i.path, message: i.message, document: docs[i.doc]!.index })));
  if (r.value.workloads.length === 0) return refused([{ path: "kind", message: "a Service or ConfigMap needs a workload (Deployment, StatefulSet, Job or Pod) in the same body", document: docs[0]!.index }]);
  // A single-workload group is named after its workload; the group function keeps one per group.
  return compiled({ name: r.value.workloads[0]!.name, type: "k8s", workloads: r.value.workloads });
}

export const kubernetes: AgreementFormat = {
  type: "k8s",
  detect: isKubernetesDoc,
  name: (doc) => (isObj(doc) && isObj(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined),
  compile: (doc) => compileGroup([doc]),
  group: groupKubernetes,
  compileGroup: (docs) => compileGroup(docs),
};
