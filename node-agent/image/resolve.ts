// Reference → verified image manifest and config: follows indexes to the linux/amd64 manifest.
import { ImageError } from "./errors.ts";
import { MEDIA_TYPES, parseConfigDoc, parseManifestDoc, selectPlatform, type ConfigDocument, type Descriptor, type ImageManifest } from "./manifest.ts";
import type { ImageSource } from "./sources/source.ts";
import { readVerified, type ProgressFn } from "./verified-fetch.ts";

export const LAYER_MEDIA_TYPES: Record<string, "tar" | "gzip" | "zstd"> = {
  "application/vnd.oci.image.layer.v1.tar": "tar",
  "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar": "tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
  "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
};

export interface ResolvedImage {
  /** digest of the platform image manifest that will run (the receipt's `image`) */
  manifestDigest: string;
  /** digest of the top-level index when the reference named one */
  indexDigest?: string;
  manifest: ImageManifest;
  configDigest: string;
  configDoc: ConfigDocument;
}

const MAX_DEPTH = 4;

export async function resolveImage(source: ImageSource, onProgress?: ProgressFn): Promise<ResolvedImage> {
  const root = await source.resolveRoot();
  let desc: Descriptor = root.desc;
  let indexDigest: string | undefined;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const bytes = await readVerified(source, "manifest", desc, onProgress);
    const parsed = parseManifestDoc(`manifest ${desc.digest} of ${source.name}`, bytes, desc.mediaType);
    if (parsed.kind === "index") {
      indexDigest ??= desc.digest;
      desc = selectPlatform(parsed.doc, `index ${desc.digest} of ${source.name}`);
      continue;
    }
    const manifest = parsed.doc;
    const configType = manifest.config.mediaType;
    if (configType !== MEDIA_TYPES.ociConfig && configType !== MEDIA_TYPES.dockerConfig) {
      throw new ImageError("unsupported", `${source.name}: config media type ${configType} is not a container image`);
    }
    for (const layer of manifest.layers) {
      if (!(layer.mediaType in LAYER_MEDIA_TYPES)) throw new ImageError("unsupported", `layer ${layer.digest}: unsupported media type ${layer.mediaType}`);
    }
    const configBytes = await readVerified(source, "config", manifest.config, onProgress);
    const configDoc = parseConfigDoc(`config ${manifest.config.digest}`, configBytes);
    if (configDoc.os !== "linux" || configDoc.architecture !== "amd64") {
      throw new ImageError("platform", `${source.name}: image is ${configDoc.os}/${configDoc.architecture}, this node runs linux/amd64`);
    }
    if (configDoc.rootfs.diff_ids.length !== manifest.layers.length) {
      throw new ImageError("bad_manifest", `${source.name}: ${manifest.layers.length} layers but ${configDoc.rootfs.diff_ids.length} diff_ids`);
    }
    return { manifestDigest: desc.digest, indexDigest, manifest, configDigest: manifest.config.digest, configDoc };
  }
  throw new ImageError("bad_manifest", `${source.name}: indexes nested deeper than ${MAX_DEPTH}`);
}
