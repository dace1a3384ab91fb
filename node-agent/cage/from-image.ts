// The common path for the daemon: pull (verifying every blob), take the image's shared read-only
// rootfs (assembled once per image manifest; a private one inside the bundle when the image
// cannot share), write the bundle. If the image cannot be trusted nothing is created.
import fs from "node:fs";
import { prepareImage, type PreparedImage } from "../image/pull.ts";
import type { ProgressFn } from "../image/verified-fetch.ts";
import { Container } from "./container.ts";
import { CageError } from "./errors.ts";
import { resolveCageOptions, type CageOptions } from "./options.ts";
import { containerPaths } from "./paths.ts";
import { cageMountpoints } from "./spec.ts";
import { parseCageWorkload } from "./workload.ts";

export interface CreateFromImageInput {
  id: string;
  image: string;
  workload: unknown;
  stdin?: Uint8Array;
  onProgress?: ProgressFn;
}

export async function createFromImage(options: CageOptions, input: CreateFromImageInput): Promise<{ container: Container; image: PreparedImage }> {
  const o = resolveCageOptions(options);
  const w = parseCageWorkload(input.workload); // reject a bad workload before pulling anything
  const paths = containerPaths(o.dataDir, input.id);
  if (fs.existsSync(paths.dir)) throw new CageError("exists", `container ${input.id} already exists`);
  const image = await prepareImage(input.image, {
    dataDir: o.dataDir,
    rootfsDir: paths.rootfs,
    onProgress: input.onProgress,
    shared: { mountpoints: (config) => cageMountpoints(config, w) },
  });
  try {
    const container = await Container.create(options, { id: input.id, image, workload: input.workload, stdin: input.stdin });
    return { container, image };
  } catch (err) {
    await fs.promises.rm(paths.dir, { recursive: true, force: true });
    throw err;
  }
}
