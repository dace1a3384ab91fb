// Entry points: pull an image into the layer cache, and prepare a container rootfs from it.
import path from "node:path";
import { ImageError } from "./errors.ts";
import { ensureLayer } from "./layer-cache.ts";
import type { ImageConfig } from "./manifest.ts";
import { parseImageRef } from "./reference.ts";
import { resolveImage } from "./resolve.ts";
import { assembleRootfs } from "./rootfs.ts";
import { nodeIdRange } from "./id-range.ts";
import { sharedRootfs } from "./rootfs-cache.ts";
import { shiftTree } from "./rootfs-shift.ts";
import { ArchiveSource } from "./sources/archive-source.ts";
import { LayoutSource } from "./sources/layout-source.ts";
import { RegistrySource } from "./sources/registry-source.ts";
import type { ImageSource } from "./sources/source.ts";
import type { ProgressFn } from "./verified-fetch.ts";

export interface PullOptions {
  /** agent data dir: layers go to <dataDir>/layers, temp files to <dataDir>/tmp */
  dataDir: string;
  onProgress?: ProgressFn;
  /** for registry pulls; defaults to the global fetch */
  fetch?: typeof fetch;
}

export interface PulledImage {
  ref: string;
  /** `sha256:…` of the platform image manifest: what receipts carry as `image` */
  manifestDigest: string;
  indexDigest?: string;
  configDigest: string;
  config: ImageConfig;
  /** unpacked layer trees in the cache, lowest first */
  layers: string[];
}

export interface PreparedImage {
  manifestDigest: string;
  indexDigest?: string;
  config: ImageConfig;
  rootfs: string;
  /** rootfs is the image's shared tree (rootfs-cache.ts): mount it read-only, never write into it or delete it */
  shared?: boolean;
}

export interface PrepareOptions extends PullOptions {
  /** where a private rootfs is assembled; must not exist */
  rootfsDir: string;
  /**
   * Use the image's shared, cached rootfs instead of assembling one at `rootfsDir`, with these
   * directories (absolute container paths: the spec's mount points and working directory, which
   * runc would otherwise create) present in it. Falls back to `rootfsDir` when the image cannot
   * provide them as real directories.
   */
  shared?: { mountpoints: (config: ImageConfig) => readonly string[] };
}

export function openSource(ref: string, opts: PullOptions): ImageSource {
  const parsed = parseImageRef(ref);
  if (parsed.kind === "oci-layout") return new LayoutSource(parsed.dir, parsed.tag);
  if (parsed.kind === "oci-archive") return new ArchiveSource(parsed.file, parsed.tag, path.join(opts.dataDir, "tmp"));
  return new RegistrySource(parsed, opts.fetch);
}

export async function pullImage(ref: string, opts: PullOptions): Promise<PulledImage> {
  const source = openSource(ref, opts);
  try {
    const resolved = await resolveImage(source, opts.onProgress);
    const diffIds = resolved.configDoc.rootfs.diff_ids;
    const layers: string[] = [];
    for (const [i, desc] of resolved.manifest.layers.entries()) {
      layers.push(await ensureLayer(opts.dataDir, source, desc, diffIds[i]!, opts.onProgress));
    }
    return {
      ref,
      manifestDigest: resolved.manifestDigest,
      indexDigest: resolved.indexDigest,
      configDigest: resolved.configDigest,
      config: resolved.configDoc.config,
      layers,
    };
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError("registry", `${ref}: ${(err as Error).message}`, { cause: err });
  } finally {
    await source.close();
  }
}

/**
 * Pulls `ref` (verifying every blob) and assembles its rootfs at `rootfsDir`, which must not
 * exist; with `shared`, returns the image's shared rootfs instead whenever it can serve. Either
 * way the rootfs is shifted into the data dir's id range (id-range.ts).
 */
export async function prepareImage(ref: string, opts: PrepareOptions): Promise<PreparedImage> {
  const pulled = await pullImage(ref, opts);
  const range = nodeIdRange(opts.dataDir); // every rootfs belongs to the node's user-namespace range
  const image = { manifestDigest: pulled.manifestDigest, indexDigest: pulled.indexDigest, config: pulled.config };
  if (opts.shared) {
    const rootfs = await sharedRootfs(opts.dataDir, pulled.manifestDigest, pulled.layers, range, opts.shared.mountpoints(pulled.config));
    if (rootfs) return { ...image, rootfs, shared: true };
  }
  const rootfs = await assembleRootfs(pulled.layers, opts.rootfsDir);
  await shiftTree(rootfs, range);
  return { ...image, rootfs };
}
