// How long a replica that is to go keeps running after the gateway stops choosing it: the
// gateway caches a workload's targets for GATEWAY_TARGET_TTL_MS per isolate, so a replica dropped
// from the targets can still receive requests for that long. Stopping it only after twice that
// (plus a margin for requests in flight) means no request reaches a stopped container.
export const GATEWAY_TARGET_TTL_MS = 1000;
export const DRAIN_MS = 2 * GATEWAY_TARGET_TTL_MS + 500;
