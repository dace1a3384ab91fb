import type { PlacementConstraints } from "./types.ts";

/**
 * Whether a node's capability value satisfies a required one. The rule depends on the kind of
 * the required value, so one `capabilities` object can express flags, minimums and sets:
 * - boolean: `true` needs the node's value to be exactly `true`; `false` needs it not `true`
 *   (a node that does not mention a feature does not have it);
 * - number: a minimum, the node's value must be a number ≥ it;
 * - string: equal to the node's value, or contained in it when the node lists values
 *   (`architectures: ["amd64", "arm64"]` satisfies `architectures: "arm64"`);
 * - array: every element must match by the rules above;
 * - null / undefined: no requirement;
 * - anything else: equal as JSON.
 */
export function capabilityMatches(have: unknown, want: unknown): boolean {
  if (want === undefined || want === null) return true;
  switch (typeof want) {
    case "boolean":
      return want ? have === true : have !== true;
    case "number":
      return typeof have === "number" && have >= want;
    case "string":
      return have === want || (Array.isArray(have) && have.includes(want));
  }
  if (Array.isArray(want)) return want.every((w) => capabilityMatches(have, w));
  return JSON.stringify(have) === JSON.stringify(want);
}

/** A request's constraints turned into flat lists once, so the per-node checks stay cheap. */
export interface CompiledConstraints {
  nodeType: string | undefined;
  caps: [string, unknown][];
  labels: [string, string][];
  /** Allowed zones, or null when any zone will do. */
  zones: Set<string> | null;
  /** Allowed node ids, or null when any node will do. */
  nodes: Set<string> | null;
  /** Required boolean features (value `true`): these are not "wasted" on a node that has them. */
  requiredTrue: number;
}

const NONE: CompiledConstraints = Object.freeze({ nodeType: undefined, caps: [], labels: [], zones: null, nodes: null, requiredTrue: 0 });

export function compileConstraints(c: PlacementConstraints | undefined): CompiledConstraints {
  if (c === undefined) return NONE;
  const caps = Object.entries(c.capabilities ?? {}).filter(([, v]) => v !== undefined && v !== null);
  const zone = c.zone;
  return {
    nodeType: c.node_type,
    caps,
    labels: Object.entries(c.labels ?? {}),
    zones: zone === undefined ? null : new Set(Array.isArray(zone) ? zone : [zone]),
    nodes: c.nodes === undefined ? null : new Set(c.nodes),
    requiredTrue: caps.filter(([, v]) => v === true).length,
  };
}

export function capabilitiesMatch(have: Record<string, unknown>, cc: CompiledConstraints): boolean {
  for (const [k, v] of cc.caps) if (!capabilityMatches(have[k], v)) return false;
  return true;
}

export function labelsMatch(have: Record<string, string>, cc: CompiledConstraints): boolean {
  for (const [k, v] of cc.labels) if (have[k] !== v) return false;
  return true;
}

/** Count of the node's boolean features that are `true` (the capability score's denominator). */
export function countTrueFeatures(caps: Record<string, unknown>): number {
  let n = 0;
  for (const k in caps) if (caps[k] === true) n++;
  return n;
}
