// The answers of the public API as the CLI reads them: the protocol's own types (protocol/api),
// under the names the CLI's commands use.
export type { Cluster, ClusterConfig, RoleBinding } from "../../protocol/api/cluster.ts";
export type { Node as ClusterNode } from "../../protocol/api/node.ts";
export type { Replica, ReplicaStatus, RolloutView, WorkloadSpec, WorkloadVersion, WorkloadWithReplicas as Workload } from "../../protocol/api/workload.ts";
export type { ClusterHealth, ClusterMetrics } from "../../protocol/api/observe.ts";
export type { ClusterEvent, EventsPage } from "../../protocol/api/events.ts";
export type { ResolvedDomain } from "../../protocol/api/resolver.ts";
export type { Policy, PolicyTestResult } from "../../protocol/api/policy.ts";
