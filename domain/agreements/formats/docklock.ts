// DockLock: ENC's native WorkloadSpec, as JSON or YAML. The agreement is named after the workload.
import { WorkloadSpec } from "../../../protocol/api/workload.ts";
import { schemaIssues } from "../parse.ts";
import { compiled, refused, type AgreementFormat } from "../types.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const docklock: AgreementFormat = {
  type: "docklock",
  // A native spec has no apiVersion/kind envelope and is not a Compose file.
  detect: (doc) => isObject(doc) && typeof doc.name === "string" && "image" in doc && !("apiVersion" in doc) && !("kind" in doc) && !("services" in doc),
  name: (doc) => (isObject(doc) && typeof doc.name === "string" ? doc.name : undefined),
  compile(doc) {
    const parsed = WorkloadSpec.safeParse(doc.value);
    if (!parsed.success) return refused(schemaIssues(parsed.error.issues as never));
    return compiled({ name: parsed.data.name, type: "docklock", workloads: [parsed.data] });
  },
};
