// CueCage (`kind: CageAgreement`): a deterministic job and how it is verified. The job runs once
// on each of N distinct nodes inside the determinism cage (fixed clock, seeded randomness, no
// network; node-agent/cage/CAGE.md); each run's exit receipt carries the witness root of its
// inputs and outputs (node-agent/witness/WITNESS.md). The agreement is accepted only when all N
// roots are equal (domain/agreements/cage-verdict.ts): the replay check, made up front.
import { z } from "zod";
import { AppName } from "../../../protocol/api/common.ts";
import { Cage, ImageRef, WorkloadSpec } from "../../../protocol/api/workload.ts";
import { cpuMillis, memoryMiB } from "../k8s-quantity.ts";
import { schemaIssues } from "../parse.ts";
import { compiled, refused, type AgreementFormat } from "../types.ts";

const Quantity = z.union([z.string(), z.number()]);

export const CageAgreementDoc = z
  .object({
    apiVersion: z.literal("cue.bpi.dev/v1"),
    kind: z.literal("CageAgreement"),
    metadata: z.object({ name: AppName, labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() }).strict(),
    spec: z
      .object({
        image: ImageRef,
        command: z.array(z.string().max(4096)).min(1).max(256),
        env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(32_768)).default({}),
        /** every source of randomness in the cage derives from it: same seed, same bytes */
        seed: z.string().min(1).max(256),
        output_dir: Cage.shape.output_dir.unwrap().optional(),
        resources: z.object({ cpu: Quantity.optional(), memory: Quantity.optional() }).strict().optional(),
        verification: z
          .object({
            /** distinct nodes that must each run the job */
            nodes: z.number().int().min(2).max(16),
            /** the one rule: every run's witness root is the same */
            rule: z.literal("witness_roots_match").default("witness_roots_match"),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const cueCage: AgreementFormat = {
  type: "cue-cage",
  detect: (doc) => isObj(doc) && doc.apiVersion === "cue.bpi.dev/v1" && doc.kind === "CageAgreement",
  name: (doc) => (isObj(doc) && isObj(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined),
  compile(doc) {
    const parsed = CageAgreementDoc.safeParse(doc.value);
    if (!parsed.success) return refused(schemaIssues(parsed.error.issues as never));
    const { metadata, spec } = parsed.data;
    const resources: Record<string, number> = {};
    const issues = [];
    for (const [key, fn, field] of [["cpu", cpuMillis, "cpu_millis"], ["memory", memoryMiB, "memory_mb"]] as const) {
      const q = spec.resources?.[key];
      if (q === undefined) continue;
      const v = fn(q);
      if (v === undefined) issues.push({ path: `spec.resources.${key}`, message: `${String(q)} is not a quantity (e.g. 500m, 256Mi)` });
      else resources[field] = v;
    }
    const workload = WorkloadSpec.safeParse({
      name: metadata.name,
      image: spec.image,
      command: spec.command,
      env: spec.env,
      // one run per node: the scheduler places a workload's replicas on distinct nodes first
      replicas: spec.verification.nodes,
      restart: "never",
      cage: { determinism: true, seed: spec.seed, network: "none", ...(spec.output_dir ? { output_dir: spec.output_dir } : {}) },
      ...(Object.keys(resources).length ? { resources } : {}),
    });
    if (!workload.success) issues.push(...schemaIssues(workload.error.issues as never, ["spec"]));
    if (issues.length || !workload.success) return refused(issues);
    return compiled({ name: metadata.name, type: "cue-cage", workloads: [workload.data], job: { workload: metadata.name, nodes: spec.verification.nodes } });
  },
};
