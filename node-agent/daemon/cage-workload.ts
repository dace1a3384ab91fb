// From a WorkloadSpec to what the cage library takes: command, env, limits, cage settings and
// the host ports this replica was given.
import type { ReplicaSpec } from "../../protocol/desired-state.ts";
import type { HostPort } from "./records.ts";

export function cageWorkload(spec: ReplicaSpec, ports: HostPort[]): Record<string, unknown> {
  const w: Record<string, unknown> = {
    env: spec.env,
    resources: {
      cpu_millis: spec.resources.cpu_millis,
      memory_mb: spec.resources.memory_mb,
      ...(spec.resources.pids !== undefined ? { pids: spec.resources.pids } : {}),
    },
    cage: {
      determinism: spec.cage.determinism,
      seed: spec.cage.seed,
      network: spec.cage.network,
      ...(spec.cage.output_dir ? { output_dir: spec.cage.output_dir } : {}),
    },
  };
  if (spec.command?.length) w.command = spec.command;
  // On unless the spec says otherwise (specs from before the setting existed included).
  if ((spec as { init?: unknown }).init !== false) w.init = true;
  if (ports.length) w.ports = ports;
  return w;
}

/**
 * A replica with ports gets host ports: bound by the workload itself under network "host", or
 * by the agent and forwarded into the container's own namespace under "none"
 * (port-forward.ts). A deterministic cage serves nothing: its network is always empty.
 */
export function wantsHostPorts(spec: ReplicaSpec): boolean {
  return !spec.cage.determinism && spec.ports.length > 0;
}

/** The agent forwards the replica's host ports into its network namespace. */
export function forwardsPorts(spec: ReplicaSpec): boolean {
  return wantsHostPorts(spec) && spec.cage.network !== "host";
}
