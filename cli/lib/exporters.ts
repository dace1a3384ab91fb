// `enc get … -o FORMAT` exporters beyond json/yaml, by -o value: (kind, value) -> text. The
// Kubernetes exporter (`-o k8s`) adds its line here, and "k8s" to FORMATS in output.ts.
// `value` is the workload's WorkloadSpec, or the agreement's AgreementView.
import { toYaml } from "./output.ts";
import type { AgreementView } from "../../protocol/api/agreement.ts";
import type { WorkloadSpec } from "../../protocol/api/workload.ts";
import { workloadToKubernetes } from "../../protocol/k8s-export.ts";

/** Multi-document YAML of every workload's Kubernetes objects (Deployment or Job, then Service). */
const kubernetesYaml = (specs: readonly WorkloadSpec[]) => specs.flatMap((s) => workloadToKubernetes(s)).map((o) => toYaml(o).replace(/^\n/, "").replace(/\n?$/, "\n")).join("---\n");

export type Exporter = (kind: "workload" | "agreement", value: unknown) => string;

export const EXPORTERS: Partial<Record<string, Exporter>> = {
  k8s: (kind, value) => kubernetesYaml(kind === "workload" ? [value as WorkloadSpec] : (value as AgreementView).compiled.workloads),
};
