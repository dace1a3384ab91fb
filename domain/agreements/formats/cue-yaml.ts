// CueYaml: `apiVersion: cue.bpi.dev/v1`, `kind: ServiceAgreement` (seed 000). Every field maps to
// a WorkloadSpec feature ENC has; a value ENC cannot honour (turning the always-on seccomp filter
// off, UDP, ingress without TLS) is refused by its path, never dropped.
import { z } from "zod";
import { AppName } from "../../../protocol/api/common.ts";
import { WorkloadSpec } from "../../../protocol/api/workload.ts";
import { schemaIssues } from "../parse.ts";
import { cpuMillis, memoryMb, seconds, storageGb } from "../quantities.ts";
import { compiled, refused, type AgreementFormat, type FieldIssue } from "../types.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The seed's algorithm names -> ENC's. */
export const ALGORITHMS = {
  RoundRobin: "round_robin",
  ConsistentHashing: "consistent_hashing",
  LeastConnections: "least_connections",
  WeightedRoundRobin: "weighted_round_robin",
  ResourceBased: "resource_based",
} as const;

const Quantity = z.union([z.string().max(32), z.number()]);

const Schema = z
  .object({
    apiVersion: z.literal("cue.bpi.dev/v1"),
    kind: z.literal("ServiceAgreement"),
    metadata: z.object({ name: AppName, namespace: z.string().max(63).optional(), labels: z.record(z.string().max(63), z.string().max(253)).optional() }).strict(),
    spec: z
      .object({
        service: z
          .object({
            name: AppName,
            image: z.string().max(1024),
            replicas: z.number().int().min(0).max(1000).default(1),
            // ENC additions so a real image can be told what to run
            command: z.array(z.string().max(4096)).max(256).optional(),
            env: z.record(z.string(), z.string().max(32_768)).optional(),
          })
          .strict(),
        resources: z.object({ cpu: Quantity.optional(), memory: Quantity.optional(), storage: Quantity.optional() }).strict().optional(),
        security: z
          .object({
            determinism_cage: z.boolean().optional(),
            syscall_filtering: z.boolean().optional(),
            witness_recording: z.boolean().optional(),
            quantum_crypto: z.boolean().optional(),
            seed: z.string().max(256).optional(),
          })
          .strict()
          .optional(),
        network: z
          .object({
            ports: z.array(z.object({ containerPort: z.number().int().min(1).max(65_535), protocol: z.string().optional(), name: z.string().max(63).optional() }).strict()).max(16).optional(),
            ingress: z.object({ enabled: z.boolean().default(true), host: z.string().max(253).optional(), tls: z.boolean().default(true) }).strict().optional(),
          })
          .strict()
          .optional(),
        bpi: z.object({ wallet_authentication: z.boolean().optional(), ledger_audit: z.boolean().optional(), shadow_registry: z.boolean().optional() }).strict().optional(),
        loadBalancer: z
          .object({
            algorithm: z.enum(Object.keys(ALGORITHMS) as [keyof typeof ALGORITHMS, ...(keyof typeof ALGORITHMS)[]]).optional(),
            healthCheck: z.object({ path: z.string().max(1024), interval: z.union([z.string(), z.number()]).optional() }).strict().optional(),
          })
          .strict()
          .optional(),
        autoScaling: z
          .object({ enabled: z.boolean().default(true), minReplicas: z.number().int().min(0).max(1000), maxReplicas: z.number().int().min(1).max(1000), targetCPU: z.number().min(1).max(1000) })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

export const cueYaml: AgreementFormat = {
  type: "cue-yaml",
  detect: (doc) => isObject(doc) && doc.kind === "ServiceAgreement",
  name: (doc) => (isObject(doc) && isObject(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined),
  compile(doc, ctx) {
    const parsed = Schema.safeParse(doc.value);
    if (!parsed.success) return refused(schemaIssues(parsed.error.issues as never));
    const { metadata, spec } = parsed.data;
    const issues: FieldIssue[] = [];
    const bad = (path: string, message: string) => issues.push({ path: `spec.${path}`, message });

    const resources: Record<string, number> = {};
    if (spec.resources?.cpu !== undefined) {
      const v = cpuMillis(spec.resources.cpu);
      if (v === undefined) bad("resources.cpu", 'a CPU quantity: "1000m", "0.5" or 2');
      else resources.cpu_millis = v;
    }
    if (spec.resources?.memory !== undefined) {
      const v = memoryMb(spec.resources.memory);
      if (v === undefined) bad("resources.memory", 'a size: "512Mi", "2Gi"');
      else resources.memory_mb = v;
    }
    if (spec.resources?.storage !== undefined) {
      const v = storageGb(spec.resources.storage);
      if (v === undefined) bad("resources.storage", 'a size: "10Gi"');
      else resources.storage_gb = v;
    }

    const sec = spec.security ?? {};
    // Always on in ENC's cage: true is honoured as is, false cannot be.
    if (sec.syscall_filtering === false) bad("security.syscall_filtering", "ENC's cage always filters syscalls (seccomp); it cannot be turned off");
    if (sec.witness_recording === false) bad("security.witness_recording", "ENC always records a witness root of every run; it cannot be turned off");
    if (sec.quantum_crypto === true && !ctx.config?.quantum_crypto_enabled)
      bad("security.quantum_crypto", "this cluster does not have quantum_crypto_enabled; set it in the cluster config or drop the field");
    const bpi = spec.bpi ?? {};
    if (bpi.ledger_audit === false) bad("bpi.ledger_audit", "ENC always records receipts in the ledger; it cannot be turned off");
    if (bpi.ledger_audit === true && ctx.config?.audit_to_bpi_ledger === false) bad("bpi.ledger_audit", "this cluster has audit_to_bpi_ledger off");

    const ports = spec.network?.ports ?? [];
    ports.forEach((p, i) => {
      if (p.protocol !== undefined && p.protocol.toUpperCase() !== "TCP") bad(`network.ports.${i}.protocol`, "the gateway carries TCP (HTTP) only");
    });
    const ingress = spec.network?.ingress;
    const registry = [];
    if (ingress?.enabled) {
      if (!ingress.host) bad("network.ingress.host", "an enabled ingress needs a host (it becomes an httpcg:// name)");
      if (!ingress.tls) bad("network.ingress.tls", "httpcg names always require TLS; tls: false cannot be honoured");
      if (bpi.shadow_registry === false) bad("bpi.shadow_registry", "an ingress is an httpcg registration in the shadow registry; it cannot be off with an ingress");
      if (ports.length === 0) bad("network.ports", "an ingress needs a containerPort to send traffic to");
      if (ingress.host) registry.push({ host: ingress.host.toLowerCase(), workload: spec.service.name, tls: ingress.tls });
    } else if (bpi.shadow_registry === true) {
      bad("bpi.shadow_registry", "a shadow registry entry needs network.ingress with a host");
    }
    const hc = spec.loadBalancer?.healthCheck;
    const interval = hc?.interval === undefined ? undefined : seconds(hc.interval);
    if (hc && hc.interval !== undefined && interval === undefined) bad("loadBalancer.healthCheck.interval", 'a duration: "10s"');
    if (issues.length) return refused(issues);

    const candidate = {
      name: spec.service.name,
      image: spec.service.image,
      ...(spec.service.command ? { command: spec.service.command } : {}),
      env: spec.service.env ?? {},
      replicas: spec.service.replicas,
      resources,
      ports: ports.map((p) => ({ container_port: p.containerPort })),
      restart: "always",
      cage: { determinism: sec.determinism_cage ?? false, ...(sec.seed !== undefined ? { seed: sec.seed } : {}) },
      ...(spec.autoScaling ? { autoScaling: spec.autoScaling } : {}),
      ...(spec.loadBalancer?.algorithm ? { load_balancing_algorithm: ALGORITHMS[spec.loadBalancer.algorithm] } : {}),
      wallet_authentication: bpi.wallet_authentication ?? false,
      ...(hc ? { health_check: { http_path: hc.path, ...(interval !== undefined ? { interval_s: interval } : {}) } } : {}),
    };
    const workload = WorkloadSpec.safeParse(candidate);
    if (!workload.success) return refused(schemaIssues(workload.error.issues as never).map((i) => ({ ...i, path: mapBack(i.path) })));
    const notes = [];
    if (metadata.namespace) notes.push(`namespace ${metadata.namespace} is recorded; ENC's namespace is the cluster`);
    return compiled({ name: metadata.name, type: "cue-yaml", workloads: [workload.data], ...(registry.length ? { registry } : {}), ...(notes.length ? { notes } : {}) });
  },
};

/** A WorkloadSpec path back to the document's field, so a refusal names what the user wrote. */
function mapBack(path: string): string {
  const table: [RegExp, string][] = [
    [/^name/, "spec.service.name"],
    [/^image/, "spec.service.image"],
    [/^replicas/, "spec.service.replicas"],
    [/^command/, "spec.service.command"],
    [/^env/, "spec.service.env"],
    [/^resources\.cpu_millis/, "spec.resources.cpu"],
    [/^resources\.memory_mb/, "spec.resources.memory"],
    [/^resources\.storage_gb/, "spec.resources.storage"],
    [/^ports/, "spec.network.ports"],
    [/^autoScaling/, "spec.autoScaling"],
    [/^health_check\.http_path/, "spec.loadBalancer.healthCheck.path"],
    [/^health_check/, "spec.loadBalancer.healthCheck"],
    [/^cage\.seed/, "spec.security.seed"],
  ];
  for (const [re, to] of table) if (re.test(path)) return to;
  return "spec";
}
