// Public API of the image half of the node agent.
export { ImageError, type ImageErrorCode } from "./errors.ts";
export { parseImageRef, formatImageRef, isLoopbackHost, type ImageRef, type RegistryRef } from "./reference.ts";
export type { ImageConfig, Descriptor } from "./manifest.ts";
export type { Progress, ProgressFn } from "./verified-fetch.ts";
export { layerDir, layerTree } from "./layer-cache.ts";
export { assembleRootfs } from "./rootfs.ts";
export { sharedRootfs, missingDirs, rootfsCacheDir } from "./rootfs-cache.ts";
export { nodeIdRange, hostId, idRangeFile, ID_RANGE_SIZE, type IdRange } from "./id-range.ts";
export { shiftTree, isShiftedFor } from "./rootfs-shift.ts";
export { pullImage, prepareImage, type PullOptions, type PulledImage, type PreparedImage, type PrepareOptions } from "./pull.ts";
