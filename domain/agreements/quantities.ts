// Kubernetes-style quantities and durations as agreements write them ("1000m", "2Gi", "10s"), in
// the units of WorkloadSpec. Shared by every format (CueYaml, Compose, k8s).

/** CPU "1000m" | "1.5" | 2 -> millicores; undefined when not a quantity. */
export function cpuMillis(v: unknown): number | undefined {
  if (typeof v === "number" && v > 0) return Math.round(v * 1000);
  if (typeof v !== "string") return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)(m?)$/.exec(v.trim());
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1])) : Math.round(Number(m[1]) * 1000);
}

const BYTES: Record<string, number> = {
  "": 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};

/** "2Gi" | "512M" | "64m" (compose) | 1048576 -> bytes; undefined when not a size. */
export function bytesOf(v: unknown): number | undefined {
  if (typeof v === "number" && v >= 0) return v;
  if (typeof v !== "string") return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)$/.exec(v.trim());
  if (!m) return undefined;
  const unit = BYTES[m[2].toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Memory in MB as WorkloadSpec counts it (MiB). */
export const memoryMb = (v: unknown): number | undefined => {
  const b = bytesOf(v);
  return b === undefined ? undefined : Math.max(1, Math.ceil(b / 1024 ** 2));
};

/** Storage in GB as WorkloadSpec counts it (GiB, fractional). */
export const storageGb = (v: unknown): number | undefined => {
  const b = bytesOf(v);
  return b === undefined ? undefined : Math.round((b / 1024 ** 3) * 1000) / 1000;
};

/** "10s" | "1m30s" | "500ms" | 10 -> whole seconds (at least 1); undefined when not a duration. */
export function seconds(v: unknown): number | undefined {
  if (typeof v === "number" && v >= 0) return Math.max(1, Math.round(v));
  if (typeof v !== "string" || !/^([0-9]+(\.[0-9]+)?(h|m|s|ms|us|ns))+$/.test(v.trim())) return undefined;
  const f: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, , u] of v.trim().matchAll(/([0-9]+(\.[0-9]+)?)(h|ms|us|ns|m|s)/g)) total += Number(n) * f[u];
  return Math.max(1, Math.round(total));
}
