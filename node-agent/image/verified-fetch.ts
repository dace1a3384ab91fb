// The one place content is checked: every manifest, config and layer passes through here, is
// hashed as it streams, and is rejected (partial file removed) unless size and digest both match.
import fs from "node:fs";
import type { Readable } from "node:stream";
import { hasherFor, parseDigest } from "./digest.ts";
import { ImageError } from "./errors.ts";
import type { Descriptor } from "./manifest.ts";
import type { ImageSource } from "./sources/source.ts";

export type BlobKind = "manifest" | "config" | "layer";

export interface Progress {
  kind: BlobKind;
  digest: string;
  /** bytes of this blob received so far */
  fetched: number;
  total: number;
}
export type ProgressFn = (p: Progress) => void;

const SMALL_LIMIT = 4 * 1024 * 1024;

async function drain(kind: BlobKind, desc: Descriptor, stream: Readable, sink: (chunk: Buffer) => void | Promise<void>, onProgress?: ProgressFn): Promise<void> {
  const hash = hasherFor(desc.digest);
  let fetched = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      fetched += chunk.length;
      if (fetched > desc.size) {
        throw new ImageError("size_mismatch", `${kind} ${desc.digest} size mismatch: descriptor says ${desc.size} bytes, got more`);
      }
      hash.update(chunk);
      await sink(chunk);
      onProgress?.({ kind, digest: desc.digest, fetched, total: desc.size });
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof ImageError) throw err;
    throw new ImageError("registry", `${kind} ${desc.digest}: read failed: ${(err as Error).message}`, { cause: err });
  }
  if (fetched !== desc.size) {
    throw new ImageError("size_mismatch", `${kind} ${desc.digest} size mismatch: descriptor says ${desc.size} bytes, got ${fetched}`);
  }
  const got = `${parseDigest(desc.digest).algorithm}:${hash.digest("hex")}`;
  if (got !== desc.digest) throw new ImageError("digest_mismatch", `${kind} ${desc.digest} digest mismatch: got ${got}`);
}

/** A manifest, index or config, in memory, after its digest checked out. */
export async function readVerified(source: ImageSource, kind: BlobKind, desc: Descriptor, onProgress?: ProgressFn): Promise<Uint8Array> {
  if (desc.size > SMALL_LIMIT) throw new ImageError("bad_manifest", `${kind} ${desc.digest} is ${desc.size} bytes; limit is ${SMALL_LIMIT}`);
  if (source.readSmallBlob) {
    // One byte more than the descriptor allows, so that a longer blob is caught, as in drain().
    const bytes = await source.readSmallBlob(desc, desc.size + 1);
    if (bytes.length !== desc.size) {
      throw new ImageError("size_mismatch", `${kind} ${desc.digest} size mismatch: descriptor says ${desc.size} bytes, got ${bytes.length > desc.size ? "more" : bytes.length}`);
    }
    const hash = hasherFor(desc.digest);
    const got = `${parseDigest(desc.digest).algorithm}:${hash.update(bytes).digest("hex")}`;
    if (got !== desc.digest) throw new ImageError("digest_mismatch", `${kind} ${desc.digest} digest mismatch: got ${got}`);
    onProgress?.({ kind, digest: desc.digest, fetched: bytes.length, total: desc.size });
    return bytes;
  }
  const stream = kind === "manifest" ? await source.openManifest(desc) : await source.openBlob(desc);
  const chunks: Buffer[] = [];
  await drain(kind, desc, stream, (c) => void chunks.push(c), onProgress);
  return Buffer.concat(chunks);
}

/** A layer blob written to `file`; the file exists afterwards only if the digest matched. */
export async function fetchVerifiedToFile(source: ImageSource, desc: Descriptor, file: string, onProgress?: ProgressFn): Promise<void> {
  const stream = await source.openBlob(desc);
  const out = await fs.promises.open(file, "wx", 0o600);
  try {
    await drain("layer", desc, stream, async (c) => void (await out.write(c)), onProgress);
    await out.close();
  } catch (err) {
    await out.close().catch(() => undefined);
    await fs.promises.rm(file, { force: true });
    throw err;
  }
}
