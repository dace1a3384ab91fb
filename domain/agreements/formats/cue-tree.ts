// CueTree: `kind: ServiceTree`, services with dependencies. Deployed in dependency waves (a service
// starts once its parents are ready), updated and rolled back as one agreement version, removed
// in reverse wave order.
import { z } from "zod";
import { AppName } from "../../../protocol/api/common.ts";
import { WorkloadSpec } from "../../../protocol/api/workload.ts";
import { dependencyWaves } from "../order.ts";
import { schemaIssues } from "../parse.ts";
import { cpuMillis, memoryMb, seconds, storageGb } from "../quantities.ts";
import { compiled, refused, type AgreementFormat, type FieldIssue } from "../types.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const Quantity = z.union([z.string().max(32), z.number()]);

const Service = z
  .object({
    name: AppName,
    image: z.string().max(1024),
    replicas: z.number().int().min(0).max(1000).default(1),
    command: z.array(z.string().max(4096)).max(256).optional(),
    env: z.record(z.string(), z.string().max(32_768)).optional(),
    resources: z.object({ cpu: Quantity.optional(), memory: Quantity.optional(), storage: Quantity.optional() }).strict().optional(),
    ports: z.array(z.object({ containerPort: z.number().int().min(1).max(65_535), protocol: z.literal("TCP").optional() }).strict()).max(16).optional(),
    healthCheck: z
      .object({ path: z.string().max(1024).optional(), command: z.array(z.string()).min(1).optional(), interval: z.union([z.string(), z.number()]).optional(), threshold: z.number().int().min(1).max(100).optional() })
      .strict()
      .optional(),
    dependencies: z.array(AppName).max(64).default([]),
  })
  .strict();

const Schema = z
  .object({
    apiVersion: z.literal("cue.bpi.dev/v1"),
    kind: z.literal("ServiceTree"),
    metadata: z.object({ name: AppName, namespace: z.string().max(63).optional() }).strict(),
    spec: z.object({ services: z.array(Service).min(1).max(64) }).strict(),
  })
  .strict();

export const cueTree: AgreementFormat = {
  type: "cue-tree",
  detect: (doc) => isObject(doc) && doc.kind === "ServiceTree",
  name: (doc) => (isObject(doc) && isObject(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined),
  compile(doc) {
    const parsed = Schema.safeParse(doc.value);
    if (!parsed.success) return refused(schemaIssues(parsed.error.issues as never));
    const issues: FieldIssue[] = [];
    const names = parsed.data.spec.services.map((s) => s.name);
    const workloads: WorkloadSpec[] = [];
    const deps: Record<string, string[]> = {};
    parsed.data.spec.services.forEach((s, i) => {
      const bad = (p: string, message: string) => issues.push({ path: `spec.services.${i}.${p}`, message });
      if (names.indexOf(s.name) !== i) bad("name", `service ${s.name} is named twice`);
      s.dependencies.forEach((d, j) => {
        if (!names.includes(d)) bad(`dependencies.${j}`, `no service ${d} in this tree`);
      });
      deps[s.name] = s.dependencies;
      const resources: Record<string, number> = {};
      for (const [k, f, to] of [["cpu", cpuMillis, "cpu_millis"], ["memory", memoryMb, "memory_mb"], ["storage", storageGb, "storage_gb"]] as const) {
        const raw = s.resources?.[k];
        if (raw === undefined) continue;
        const v = f(raw);
        if (v === undefined) bad(`resources.${k}`, `not a ${k} quantity`);
        else resources[to] = v;
      }
      const hc = s.healthCheck;
      const interval = hc?.interval === undefined ? undefined : seconds(hc.interval);
      if (hc?.interval !== undefined && interval === undefined) bad("healthCheck.interval", 'a duration: "10s"');
      const candidate = {
        name: s.name,
        image: s.image,
        ...(s.command ? { command: s.command } : {}),
        env: s.env ?? {},
        replicas: s.replicas,
        resources,
        ports: (s.ports ?? []).map((p) => ({ container_port: p.containerPort })),
        restart: "always",
        ...(hc
          ? { health_check: { ...(hc.path ? { http_path: hc.path } : {}), ...(hc.command ? { command: hc.command } : {}), ...(interval ? { interval_s: interval } : {}), ...(hc.threshold ? { threshold: hc.threshold } : {}) } }
          : {}),
      };
      const w = WorkloadSpec.safeParse(candidate);
      if (!w.success) for (const x of schemaIssues(w.error.issues as never)) bad(x.path.replace(/^health_check(\.http_path)?/, "healthCheck").replace(/^resources\..*/, "resources"), x.message);
      else workloads.push(w.data);
    });
    if (issues.length) return refused(issues);
    const waves = dependencyWaves(deps);
    if (!waves.ok) return refused([{ path: `spec.services.${names.indexOf(waves.cycle[0])}.dependencies`, message: `a dependency cycle: ${waves.cycle.join(" -> ")}` }]);
    return compiled({ name: parsed.data.metadata.name, type: "cue-tree", workloads, order: waves.waves });
  },
};
