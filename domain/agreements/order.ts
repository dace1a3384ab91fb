// Dependency order: waves of workloads, each wave depending only on earlier ones (Kahn's
// algorithm, names sorted within a wave so the order is the same on every run).

export type Waves = { ok: true; waves: string[][] } | { ok: false; cycle: string[] };

/** `deps[name]` = what `name` depends on. Every name appears as a key. */
export function dependencyWaves(deps: Record<string, string[]>): Waves {
  const left = new Map(Object.entries(deps).map(([k, v]) => [k, new Set(v.filter((d) => d in deps))]));
  const waves: string[][] = [];
  while (left.size) {
    const ready = [...left].filter(([, d]) => d.size === 0).map(([k]) => k).sort();
    if (ready.length === 0) return { ok: false, cycle: findCycle(left) };
    waves.push(ready);
    for (const r of ready) left.delete(r);
    for (const d of left.values()) for (const r of ready) d.delete(r);
  }
  return { ok: true, waves };
}

function findCycle(left: Map<string, Set<string>>): string[] {
  const start = [...left.keys()].sort()[0];
  const path = [start];
  let at = start;
  for (;;) {
    const next = [...left.get(at)!].sort()[0];
    const i = path.indexOf(next);
    if (i >= 0) return [...path.slice(i), next];
    path.push(next);
    at = next;
  }
}
