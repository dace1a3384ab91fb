// The scheduler's public surface: pure decision logic for the ClusterDO (no I/O, no clock).
export * from "./types.ts";
export { place, placeMany, type PlaceManyResult, type PlacementOutcome } from "./schedule.ts";
// For callers that place several replicas against one snapshot without rebuilding it each time.
export { PlacementEngine, type Decision } from "./engine.ts";
export { capabilityMatches } from "./constraints.ts";
export { describeRejections } from "./filter.ts";
export { rendezvousScore } from "./rendezvous.ts";
export { decide, decideScale, type AutoscaleDecision, type AutoscaleInput, type Recommendation, type ScaleReason } from "./autoscale.ts";
export * from "./circuit-breaker.ts";
export { nodeLiveness, planFailover, type FailoverAction, type FailoverReplica, type Liveness } from "./failover.ts";
export { benchPlacements, makeSimulatedCluster, makeSimulatedRequests, seededRandom, type BenchResult } from "./bench-support.ts";
