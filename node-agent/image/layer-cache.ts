// Content-addressed cache of unpacked layers: <dataDir>/layers/<digest>/ holds `tree/` (the layer
// as stored, whiteouts included) and `diff_id` (what its uncompressed content was checked
// against). An entry appears only by rename() of a fully unpacked staging dir, so a crash never
// leaves a half layer that looks complete. The cache is trusted: only verified content enters it.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ImageError } from "./errors.ts";
import type { Descriptor } from "./manifest.ts";
import { unpackLayer } from "./layer-unpack.ts";
import type { ImageSource } from "./sources/source.ts";
import { fetchVerifiedToFile, type ProgressFn } from "./verified-fetch.ts";

export function layerDir(dataDir: string, digest: string): string {
  return path.join(dataDir, "layers", digest);
}

/** The unpacked tree of a cached layer. */
export function layerTree(dataDir: string, digest: string): string {
  return path.join(layerDir(dataDir, digest), "tree");
}

const inFlight = new Map<string, Promise<string>>();

async function cachedTree(dir: string, digest: string, diffId: string): Promise<string | undefined> {
  let recorded: string | undefined;
  try {
    recorded = fs.readFileSync(path.join(dir, "diff_id"), "utf8"); // the cache-hit marker: tiny
  } catch {
    recorded = undefined;
  }
  if (recorded === undefined) return undefined;
  if (recorded !== diffId) throw new ImageError("digest_mismatch", `layer ${digest}: config diff_id ${diffId} differs from the verified ${recorded}`);
  return path.join(dir, "tree");
}

async function fill(dataDir: string, source: ImageSource, desc: Descriptor, diffId: string, onProgress?: ProgressFn): Promise<string> {
  const final = layerDir(dataDir, desc.digest);
  const hit = await cachedTree(final, desc.digest, diffId);
  if (hit) {
    onProgress?.({ kind: "layer", digest: desc.digest, fetched: desc.size, total: desc.size });
    return hit;
  }
  const tmpDir = path.join(dataDir, "tmp");
  await fs.promises.mkdir(tmpDir, { recursive: true, mode: 0o700 });
  await fs.promises.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
  const nonce = randomBytes(6).toString("hex");
  const blob = path.join(tmpDir, `blob-${nonce}`);
  const staging = path.join(path.dirname(final), `.staging-${nonce}`);
  try {
    await fetchVerifiedToFile(source, desc, blob, onProgress);
    await unpackLayer(blob, desc.mediaType, desc.digest, diffId, path.join(staging, "tree"));
    await fs.promises.writeFile(path.join(staging, "diff_id"), diffId);
    try {
      await fs.promises.rename(staging, final);
    } catch (err) {
      // Another process won the rename: same digest, same content.
      if (!["ENOTEMPTY", "EEXIST"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
      return (await cachedTree(final, desc.digest, diffId)) ?? path.join(final, "tree");
    }
    return path.join(final, "tree");
  } finally {
    await fs.promises.rm(blob, { force: true });
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/** Returns the unpacked tree of `desc`, fetching, verifying and unpacking it first if needed. */
export function ensureLayer(dataDir: string, source: ImageSource, desc: Descriptor, diffId: string, onProgress?: ProgressFn): Promise<string> {
  const key = `${path.resolve(dataDir)}\0${desc.digest}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const p = fill(dataDir, source, desc, diffId, onProgress).finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}
