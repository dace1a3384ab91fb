// Stacks cached layer trees into one container root filesystem, applying OCI whiteouts the way
// overlayfs would: `.wh.<name>` deletes <name> from lower layers, `.wh..wh..opq` empties its
// directory of lower-layer content. Directories are created fresh per container; regular files
// are hard links into the cache (the container mounts its rootfs read-only, so sharing inodes is
// safe) with a copy fallback across filesystems. Symlinks in the target are never followed: a
// path that must be a directory replaces whatever non-directory a lower layer put there.
import fs from "node:fs";
import path from "node:path";
import { ImageError } from "./errors.ts";

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

async function lstatOrNull(p: string): Promise<fs.Stats | null> {
  return fs.promises.lstat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw err;
  });
}

async function emptyDir(dir: string): Promise<void> {
  for (const name of await fs.promises.readdir(dir)) await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
}

async function placeFile(src: string, dst: string, st: fs.Stats): Promise<void> {
  try {
    await fs.promises.link(src, dst);
  } catch (err) {
    if (!["EXDEV", "EPERM", "EMLINK"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    await fs.promises.copyFile(src, dst);
    await fs.promises.chown(dst, st.uid, st.gid);
    await fs.promises.chmod(dst, st.mode & 0o7777);
  }
}

async function applyDir(layer: string, target: string, rel: string, dirModes: Map<string, fs.Stats>): Promise<void> {
  const names = (await fs.promises.readdir(path.join(layer, rel))).sort();
  if (names.includes(OPAQUE)) await emptyDir(path.join(target, rel));
  for (const name of names) {
    if (!name.startsWith(WHITEOUT) || name === OPAQUE) continue;
    const victim = name.slice(WHITEOUT.length);
    if (victim === "" || victim === "." || victim === "..") throw new ImageError("unpack", `invalid whiteout ${path.join(rel, name)}`);
    await fs.promises.rm(path.join(target, rel, victim), { recursive: true, force: true });
  }
  for (const name of names) {
    if (name.startsWith(WHITEOUT)) continue;
    const r = path.join(rel, name);
    const src = path.join(layer, r);
    const dst = path.join(target, r);
    const st = await fs.promises.lstat(src);
    const existing = await lstatOrNull(dst);
    if (st.isDirectory()) {
      if (existing && !existing.isDirectory()) await fs.promises.rm(dst, { force: true });
      if (!existing || !existing.isDirectory()) await fs.promises.mkdir(dst, { mode: 0o700 });
      dirModes.set(r, st);
      await applyDir(layer, target, r, dirModes);
      continue;
    }
    if (existing) await fs.promises.rm(dst, { recursive: true, force: true });
    if (st.isFile()) await placeFile(src, dst, st);
    else if (st.isSymbolicLink()) {
      await fs.promises.symlink(await fs.promises.readlink(src), dst);
      await fs.promises.lchown(dst, st.uid, st.gid);
    }
    // Device nodes, FIFOs and sockets are never created from images: the tar unpacker skips them.
  }
}

// Modes last, so a read-only directory from a layer cannot block adding its children; by a fresh
// walk that descends only into real directories (Dirent types are lstat's), never via a symlink.
async function applyDirModes(target: string, rel: string, dirModes: Map<string, fs.Stats>): Promise<void> {
  for (const d of await fs.promises.readdir(path.join(target, rel), { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const r = path.join(rel, d.name);
    await applyDirModes(target, r, dirModes);
    const st = dirModes.get(r);
    if (!st) continue;
    await fs.promises.chown(path.join(target, r), st.uid, st.gid);
    await fs.promises.chmod(path.join(target, r), st.mode & 0o7777);
  }
}

/** Builds `target` (which must not exist yet) from `layers`, lowest first. */
export async function assembleRootfs(layers: readonly string[], target: string): Promise<string> {
  if (await lstatOrNull(target)) throw new ImageError("unpack", `rootfs target ${target} already exists`);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await fs.promises.mkdir(target, { mode: 0o755 });
  const dirModes = new Map<string, fs.Stats>();
  try {
    for (const layer of layers) await applyDir(layer, target, "", dirModes);
    await applyDirModes(target, "", dirModes);
  } catch (err) {
    await fs.promises.rm(target, { recursive: true, force: true });
    if (err instanceof ImageError) throw err;
    throw new ImageError("unpack", `assembling rootfs at ${target}: ${(err as Error).message}`, { cause: err });
  }
  return target;
}
