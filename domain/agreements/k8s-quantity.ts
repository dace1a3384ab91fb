// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity) as ENC's units: CPU in
// millicores, memory in MiB, storage in GiB. Only the forms Kubernetes itself accepts are read.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value in base units (cores, bytes), or undefined when it is not a quantity. */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) && q >= 0 ? q : undefined;
  if (typeof q !== "string") return undefined;
  const m = /^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  const suffix = m[2] ?? "";
  return n * (BINARY[suffix] ?? DECIMAL[suffix]!);
}

/** CPU in whole millicores; Kubernetes itself rounds a finer CPU quantity up to 1m. */
export const cpuMillis = (q: unknown): number | undefined => {
  const v = quantityValue(q);
  return v === undefined ? undefined : Math.ceil(Math.round(v * 1e9) / 1e6);
};

/** Memory in whole MiB, rounded up so a limit is never tightened. */
export const memoryMiB = (q: unknown): number | undefined => {
  const v = quantityValue(q);
  return v === undefined ? undefined : Math.ceil(v / 2 ** 20);
};

/** Storage in GiB (ENC's storage_gb may be fractional); exact for Mi and Gi quantities. */
export const storageGiB = (q: unknown): number | undefined => {
  const v = quantityValue(q);
  return v === undefined ? undefined : v / 2 ** 30;
};

