// Public API of the cage: runtime spec, seeded entropy, and the runc-backed container lifecycle.
export { CageError, type CageErrorCode } from "./errors.ts";
export { parseCageWorkload, effectiveNetwork, isDeterministic, type CageWorkload } from "./workload.ts";
export { buildRuntimeSpec, cageMountpoints, specMountpoints, type RuntimeSpec, type SpecInput } from "./spec.ts";
export { buildSeccomp, SECCOMP_ALLOW, type SeccompProfile } from "./seccomp.ts";
export { deriveSeed, seedCommitment, EntropyStream, URANDOM_CONTEXT, type SeedInput } from "./seed.ts";
export { EntropyFeeder } from "./entropy-feeder.ts";
export { resolveUser, type ResolvedUser } from "./user.ts";
export { containerPaths, runcRoot, type ContainerPaths } from "./paths.ts";
export { Runc, type RuncState, type RuncStats, type RuncStatus } from "./runc.ts";
export { hostFeatures, type HostFeatures } from "./host-features.ts";
export type { CageOptions } from "./options.ts";
export type { CreateInput } from "./bundle.ts";
export type { CageMeta, ExitInfo, ExitReason } from "./meta.ts";
export type { FinalUsage } from "./cgroup-usage.ts";
export { Container, type ContainerStatus } from "./container.ts";
export { listContainers, type ListedContainer } from "./list.ts";
export { createFromImage, type CreateFromImageInput } from "./from-image.ts";
export { fenceHostLocal, unfenceHostLocal } from "./loopback-fence.ts";
