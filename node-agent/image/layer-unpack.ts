// Unpacks one verified layer blob into a directory, exactly as stored: whiteout files (.wh.*) are
// kept as plain files here and only interpreted when layers are stacked (rootfs.ts). The
// uncompressed stream is hashed on the way and must equal the config's diff_id.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { extract } from "tar";
import { parseDigest } from "./digest.ts";
import { ImageError } from "./errors.ts";
import { LAYER_MEDIA_TYPES } from "./resolve.ts";

// Warnings that mean the layer did not land on disk as written.
const FATAL_WARNINGS = new Set(["TAR_ENTRY_ERROR", "TAR_BAD_ARCHIVE", "TAR_ABORT", "TAR_ENTRY_INVALID"]);

function decompressor(mediaType: string, digest: string): Transform | undefined {
  const kind = LAYER_MEDIA_TYPES[mediaType];
  if (kind === "gzip") return zlib.createGunzip();
  if (kind === "tar") return undefined;
  const zstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (kind === "zstd" && zstd) return zstd();
  throw new ImageError("unsupported", `layer ${digest}: cannot decompress ${mediaType} with this Node.js`);
}

/** Where an archive path lands under the extraction root (as node-tar sanitizes it), or null. */
function landing(raw: string): string | null {
  const p = path.posix.normalize(raw.replace(/^(\.?\/)+/, "")).replace(/\/+$/, "");
  if (p === "" || p === "." || p.split("/").includes("..")) return null;
  return p;
}

// node-tar creates entries through the process umask and chowns after writing (which clears
// setuid bits), so the archive's exact modes are put back afterwards. The walk descends only
// through real directories, so a symlink in the tree can never redirect a chmod.
async function restoreModes(root: string, rel: string, modes: Map<string, number>): Promise<void> {
  for (const d of await fs.promises.readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) await restoreModes(root, r, modes);
    const mode = modes.get(r);
    if (mode !== undefined && (d.isDirectory() || d.isFile())) await fs.promises.chmod(path.join(root, r), mode);
  }
}

export async function unpackLayer(blobFile: string, mediaType: string, digest: string, diffId: string, target: string): Promise<void> {
  await fs.promises.mkdir(target, { recursive: true, mode: 0o755 });
  const hash = createHash(parseDigest(diffId).algorithm);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const problems: string[] = [];
  const modes = new Map<string, number>();
  const unpacker = extract({
    cwd: target,
    preserveOwner: true,
    chmod: true,
    processUmask: 0,
    maxDepth: 256,
    onReadEntry: (entry) => {
      const p = landing(entry.path);
      if (p !== null && typeof entry.mode === "number" && (entry.type === "File" || entry.type === "Directory" || entry.type === "OldFile" || entry.type === "ContiguousFile")) {
        modes.set(p, entry.mode & 0o7777);
      }
    },
    onwarn: (code, message) => {
      if (FATAL_WARNINGS.has(code)) problems.push(`${code}: ${message}`);
    },
  });
  const stages = [fs.createReadStream(blobFile), decompressor(mediaType, digest), tap, unpacker].filter(Boolean) as NodeJS.ReadWriteStream[];
  try {
    await (pipeline as (...s: NodeJS.ReadWriteStream[]) => Promise<void>)(...stages);
  } catch (err) {
    throw new ImageError("unpack", `layer ${digest}: unpack failed: ${(err as Error).message}`, { cause: err });
  }
  if (problems.length) throw new ImageError("unpack", `layer ${digest}: unpack failed: ${problems.slice(0, 3).join("; ")}`);
  const got = `${parseDigest(diffId).algorithm}:${hash.digest("hex")}`;
  if (got !== diffId) throw new ImageError("digest_mismatch", `layer ${digest} uncompressed content digest mismatch: config diff_id is ${diffId}, got ${got}`);
  await restoreModes(target, "", modes);
}
