// `enc get … -o FORMAT` exporters beyond json/yaml, by -o value: (kind, value) -> text. The
// Kubernetes exporter (`-o k8s`) adds its line here, and "k8s" to FORMATS in output.ts.
// `value` is the workload's WorkloadSpec, or the agreement's AgreementView.
export type Exporter = (kind: "workload" | "agreement", value: unknown) => string;

export const EXPORTERS: Partial<Record<string, Exporter>> = {
};
