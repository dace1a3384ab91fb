// What reaches a replica's container. Two specs with the same identity run the same container,
// so the agent keeps it running and the control plane needs no rollout: replica counts,
// autoscaling bounds, placement constraints, restart policy, load balancing and the gateway's
// wallet check change how many containers run, where and how they are reached, never what one is.
import { hashCanonical } from "./hash.ts";

interface SpecLike {
  name?: unknown;
  image?: unknown;
  command?: unknown;
  env?: unknown;
  resources?: unknown;
  cage?: unknown;
  ports?: unknown;
  health_check?: unknown;
  init?: unknown;
}

/** The container-facing part of a workload spec, with absent fields at their defaults. */
export function containerFacts(spec: SpecLike): Record<string, unknown> {
  return {
    name: spec.name ?? null,
    image: spec.image ?? null,
    command: Array.isArray(spec.command) && spec.command.length ? spec.command : null,
    env: spec.env ?? {},
    resources: spec.resources ?? null,
    cage: spec.cage ?? null,
    ports: spec.ports ?? [],
    health_check: spec.health_check ?? null,
    // Older specs predate the flag; they ran without an init, so absent must not read as a change.
    init: spec.init ?? null,
  };
}

/** Through JSON first: what was parsed and what was saved and re-read must hash the same. */
export const containerHash = (spec: SpecLike): string => hashCanonical(JSON.parse(JSON.stringify(containerFacts(spec))));
